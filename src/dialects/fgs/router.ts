import { QuiverError } from "../../core/errors.js";

/** An operation name: the official SDK's method name, also the key of `rateLimits.overrides`. */
export type OperationName =
  | "createFunction" | "listFunctions" | "showFunctionConfig" | "showFunctionCode" | "updateFunctionCode"
  | "updateFunctionConfig" | "deleteFunction" | "createFunctionVersion" | "listFunctionVersions"
  | "legacyCreateFunctionVersion" | "legacyListFunctionVersions" | "legacyShowFunctionConfig";

export interface Route {
  readonly operation: OperationName;
  readonly projectId: string;
  /** The `{function_urn}` segment, percent-decoded; absent on collection routes. */
  readonly urn: string | undefined;
}

/** `<verb> <tail>` after `/{function_urn}` → operation, per API. */
const V2_ITEM: Readonly<Record<string, OperationName>> = {
  "DELETE ": "deleteFunction",
  "GET config": "showFunctionConfig",
  "PUT config": "updateFunctionConfig",
  "GET code": "showFunctionCode",
  "PUT code": "updateFunctionCode",
  "GET versions": "listFunctionVersions",
  "POST versions": "createFunctionVersion",
};
const V2_COLLECTION: Readonly<Record<string, OperationName>> = { GET: "listFunctions", POST: "createFunction" };
const V1_ITEM: Readonly<Record<string, OperationName>> = {
  "GET config": "legacyShowFunctionConfig",
  "GET versions": "legacyListFunctionVersions",
  "POST versions": "legacyCreateFunctionVersion",
};

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
      throw new QuiverError("InvalidParameter", `The path segment "${part}" is not validly percent-encoded.`, { field: "function_urn" });
    }
  });
}

/** The project id a path names (its second segment), whether or not the rest matches a route. */
export function projectOf(segments: readonly string[]): string {
  return segments[1] ?? "";
}

export function matchRoute(method: string, segments: readonly string[]): Route | null {
  const [api, projectId = "", service, collection, urn, tail, ...extra] = segments;
  if (collection !== "functions" || extra.length > 0) return null;
  const verb = method.toUpperCase();
  let operation: OperationName | undefined;
  if (api === "v2" && service === "fgs") {
    operation = urn === undefined ? V2_COLLECTION[verb] : V2_ITEM[`${verb} ${tail ?? ""}`];
  } else if (api === "v1.0" && service === "fss" && urn !== undefined) {
    operation = V1_ITEM[`${verb} ${tail ?? ""}`];
  }
  return operation ? { operation, projectId, urn } : null;
}
