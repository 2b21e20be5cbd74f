import { QuiverError } from "../../core/errors.js";

/** An operation name: the official SDK's method name, also the key of `rateLimits.overrides`. */
export type OperationName =
  | "createFunction" | "listFunctions" | "showFunctionConfig" | "showFunctionCode" | "updateFunctionCode"
  | "updateFunctionConfig" | "deleteFunction" | "createFunctionVersion" | "listFunctionVersions"
  | "createVersionAlias" | "listVersionAliases" | "showVersionAlias" | "updateVersionAlias" | "deleteVersionAlias"
  | "invokeFunction" | "asyncInvokeFunction" | "listAsyncInvocations"
  | "legacyCreateFunctionVersion" | "legacyListFunctionVersions" | "legacyShowFunctionConfig"
  | "legacyCreateVersionAlias" | "legacyListVersionAliases" | "legacyShowVersionAlias" | "legacyUpdateVersionAlias"
  | "legacyDeleteVersionAlias" | "legacyInvokeFunction" | "legacyAsyncInvokeFunction"
  | "createFunctionTrigger" | "listFunctionTriggers" | "batchDeleteFunctionTriggers" | "showFunctionTrigger" | "updateTrigger"
  | "deleteFunctionTrigger" | "legacyCreateFunctionTrigger" | "legacyListFunctionTriggers" | "legacyBatchDeleteFunctionTriggers"
  | "legacyShowFunctionTrigger" | "legacyDeleteFunctionTrigger"
  // Quiver's own, not an SDK method: `POST .../triggers/{function_urn}/TIMER/{trigger_id}/fire`.
  | "fireFunctionTrigger"
  | "showLtsLogDetails" | "listFunctionStatistics" | "showFunctionMetrics"
  // LTS's log query (its SDK's method name), for the log group and stream showLtsLogDetails names.
  | "listLogs"
  | "updateFunctionReservedInstancesCount" | "listReservedInstanceConfigs" | "listFunctionReservedInstances" | "updateFunctionMaxInstanceConfig"
  | "createDependencyVersion" | "listDependencies" | "listDependencyVersion" | "showDependencyVersion" | "deleteDependencyVersion";

export interface Route {
  readonly operation: OperationName;
  readonly projectId: string;
  /** The `{function_urn}` segment, percent-decoded; absent on collection routes. */
  readonly urn: string | undefined;
  /** The `{alias_name}` segment of `.../aliases/{alias_name}`. */
  readonly aliasName: string | undefined;
  /** The `{trigger_type_code}` and `{trigger_id}` segments of `.../triggers/{function_urn}/{trigger_type_code}/{trigger_id}`. */
  readonly trigger: { readonly typeCode: string; readonly id: string } | undefined;
  /** The `{period}` segment of `.../statistics/{period}` and `.../slareports/{period}`. */
  readonly period?: string;
  /** The `{log_group_id}` and `{log_stream_id}` segments of LTS's `/v2/{project_id}/groups/{log_group_id}/streams/{log_stream_id}/content/query`. */
  readonly logStream?: { readonly groupId: string; readonly streamId: string };
  /** The `{depend_id}` and `{version}` segments of `.../dependencies/{depend_id}/version[/{version}]`. */
  readonly dependency?: { readonly id: string; readonly version?: string };
}

/**
 * `<verb> <tail>` after `/{function_urn}` → operation, per API. Maps, because the keys are built
 * from the caller's method and path: a lookup must never reach `Object.prototype`.
 */
const V2_ITEM = routeTable({
  "DELETE ": "deleteFunction",
  "GET config": "showFunctionConfig",
  "PUT config": "updateFunctionConfig",
  "GET code": "showFunctionCode",
  "PUT code": "updateFunctionCode",
  "GET versions": "listFunctionVersions",
  "POST versions": "createFunctionVersion",
  "GET aliases": "listVersionAliases",
  "POST aliases": "createVersionAlias",
  "GET aliases/": "showVersionAlias",
  "PUT aliases/": "updateVersionAlias",
  "DELETE aliases/": "deleteVersionAlias",
  "POST invocations": "invokeFunction",
  "POST invocations-async": "asyncInvokeFunction",
  "GET async-invocations": "listAsyncInvocations",
  "GET lts-log-detail": "showLtsLogDetails",
  "GET statistics/": "listFunctionStatistics",
  "GET slareports/": "showFunctionMetrics",
  "PUT reservedinstances": "updateFunctionReservedInstancesCount",
  "PUT config-max-instance": "updateFunctionMaxInstanceConfig",
});

/** The tails whose next segment is an item: an alias name, or a statistics period. */
const ITEM_TAILS: ReadonlySet<string> = new Set(["aliases", "statistics", "slareports"]);
const V2_COLLECTION = routeTable({ GET: "listFunctions", POST: "createFunction" });
/** `GET /v2/{project_id}/fgs/functions/<name>`: lists across the project's functions (no URN is named `reservedinstances`). */
const V2_PROJECT_LISTS = routeTable({ "GET reservedinstances": "listFunctionReservedInstances", "GET reservedinstanceconfigs": "listReservedInstanceConfigs" });
const V1_ITEM = routeTable({
  "GET config": "legacyShowFunctionConfig",
  "GET versions": "legacyListFunctionVersions",
  "POST versions": "legacyCreateFunctionVersion",
  "GET aliases": "legacyListVersionAliases",
  "POST aliases": "legacyCreateVersionAlias",
  "GET aliases/": "legacyShowVersionAlias",
  "PUT aliases/": "legacyUpdateVersionAlias",
  "DELETE aliases/": "legacyDeleteVersionAlias",
  "POST invocations": "legacyInvokeFunction",
  "POST invocations-async": "legacyAsyncInvokeFunction",
});

/**
 * `<verb>` on `/triggers/{function_urn}`, `<verb> item` on `.../{trigger_type_code}/{trigger_id}`,
 * `POST item/fire` on `.../{trigger_id}/fire` (Quiver's fire-now, v2 only); v1.0 has no update.
 */
const V2_TRIGGERS = routeTable({
  POST: "createFunctionTrigger",
  GET: "listFunctionTriggers",
  DELETE: "batchDeleteFunctionTriggers",
  "GET item": "showFunctionTrigger",
  "PUT item": "updateTrigger",
  "DELETE item": "deleteFunctionTrigger",
  "POST item/fire": "fireFunctionTrigger",
});
const V1_TRIGGERS = routeTable({
  POST: "legacyCreateFunctionTrigger",
  GET: "legacyListFunctionTriggers",
  DELETE: "legacyBatchDeleteFunctionTriggers",
  "GET item": "legacyShowFunctionTrigger",
  "DELETE item": "legacyDeleteFunctionTrigger",
});

function routeTable(routes: Readonly<Record<string, OperationName>>): ReadonlyMap<string, OperationName> {
  return new Map(Object.entries(routes));
}

/**
 * Splits a raw path into decoded segments. A trailing `/` is ignored, and each segment is
 * percent-decoded once, so a URN may arrive with raw or encoded `:` and `!`.
 */
export function pathSegments(rawPath: string): string[] {
  const parts = rawPath.split("/").slice(1);
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts.map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new QuiverError("InvalidParameter", `The path segment "${part}" is not validly percent-encoded.`, { parameter: "function_urn" });
    }
  });
}

/** The project id a path names (its second segment), whether or not the rest matches a route. */
export function projectOf(segments: readonly string[]): string {
  return segments[1] ?? "";
}

export function matchRoute(method: string, segments: readonly string[]): Route | null {
  const [api, projectId = "", service, collection, urn, tail, item, ...extra] = segments;
  if (collection === "triggers") return matchTriggerRoute(method, segments);
  if (service === "groups") return matchLtsRoute(method, segments);
  if (collection === "dependencies") return matchDependencyRoute(method, segments);
  if (collection !== "functions" || extra.length > 0) return null;
  if (item !== undefined && !ITEM_TAILS.has(tail ?? "")) return null;
  const verb = method.toUpperCase();
  // Items share one key per verb: `GET aliases/` for `GET .../aliases/{alias_name}`.
  const key = `${verb} ${tail ?? ""}${item === undefined ? "" : "/"}`;
  let operation: OperationName | undefined;
  if (api === "v2" && service === "fgs") {
    const projectList = tail === undefined ? V2_PROJECT_LISTS.get(`${verb} ${urn ?? ""}`) : undefined;
    if (projectList !== undefined) return { operation: projectList, projectId, urn: undefined, aliasName: undefined, trigger: undefined };
    operation = urn === undefined ? V2_COLLECTION.get(verb) : V2_ITEM.get(key);
  } else if (api === "v1.0" && service === "fss" && urn !== undefined) {
    operation = V1_ITEM.get(key);
  }
  if (!operation) return null;
  const aliasName = tail === "aliases" ? item : undefined;
  return { operation, projectId, urn, aliasName, trigger: undefined, ...(tail !== "aliases" && item !== undefined ? { period: item } : {}) };
}

/**
 * `/v2/{project_id}/fgs/dependencies` (list), `.../dependencies/version` (create) and
 * `.../dependencies/{depend_id}/version[/{version}]` (list, show, delete a package's versions).
 */
function matchDependencyRoute(method: string, segments: readonly string[]): Route | null {
  const [api, projectId = "", service, , dependId, version, number, ...extra] = segments;
  if (api !== "v2" || service !== "fgs" || extra.length > 0) return null;
  const verb = method.toUpperCase();
  const route = (operation: OperationName, dependency?: Route["dependency"]): Route => ({ operation, projectId, urn: undefined, aliasName: undefined, trigger: undefined, ...(dependency ? { dependency } : {}) });
  if (dependId === undefined) return verb === "GET" ? route("listDependencies") : null;
  if (dependId === "version" && version === undefined) return verb === "POST" ? route("createDependencyVersion") : null;
  if (version !== "version") return null;
  if (number === undefined) return verb === "GET" ? route("listDependencyVersion", { id: dependId }) : null;
  if (verb === "GET") return route("showDependencyVersion", { id: dependId, version: number });
  if (verb === "DELETE") return route("deleteDependencyVersion", { id: dependId, version: number });
  return null;
}

/** LTS's `POST /v2/{project_id}/groups/{log_group_id}/streams/{log_stream_id}/content/query`. */
function matchLtsRoute(method: string, segments: readonly string[]): Route | null {
  const [api, projectId = "", , groupId, streams, streamId, content, query, ...extra] = segments;
  const shaped = api === "v2" && streams === "streams" && content === "content" && query === "query" && extra.length === 0;
  if (!shaped || method.toUpperCase() !== "POST" || groupId === undefined || streamId === undefined) return null;
  return { operation: "listLogs", projectId, urn: undefined, aliasName: undefined, trigger: undefined, logStream: { groupId, streamId } };
}

/** `/triggers/{function_urn}` and `/triggers/{function_urn}/{trigger_type_code}/{trigger_id}`, in both APIs. */
function matchTriggerRoute(method: string, segments: readonly string[]): Route | null {
  const [api, projectId = "", service, , urn, typeCode, id, action, ...extra] = segments;
  if (urn === undefined || extra.length > 0 || (typeCode !== undefined && id === undefined)) return null;
  const verb = method.toUpperCase();
  const key = id === undefined ? verb : `${verb} item${action === undefined ? "" : `/${action}`}`;
  let operation: OperationName | undefined;
  if (api === "v2" && service === "fgs") operation = V2_TRIGGERS.get(key);
  else if (api === "v1.0" && service === "fss") operation = V1_TRIGGERS.get(key);
  const trigger = typeCode !== undefined && id !== undefined ? { typeCode, id } : undefined;
  return operation ? { operation, projectId, urn, aliasName: undefined, trigger } : null;
}
