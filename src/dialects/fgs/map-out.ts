import { pathToFileURL } from "node:url";
import type { BoundLayer } from "../../core/layers.js";
import type { FunctionConfig, FunctionRecord, VersionRecord, CodeRef } from "../../core/model.js";
import { ltsGroupId } from "./lts.js";
import type { TriggerRecord } from "../../core/triggers.js";
import { apigEventDataOut, typeCodeOf } from "./apig-trigger.js";
import { FG_LATEST } from "./rules.js";
import { fgsRuntimeName } from "./runtimes.js";
import { functionUrn, type UrnContext } from "./urn.js";

/**
 * Domain objects → FunctionGraph wire shapes: snake_case for v2, PascalCase for v1.0. Numbers
 * are JSON numbers and times RFC 3339 with the server's UTC offset, which the stricter Go SDK
 * parses (reference §1.3).
 */

export interface OutContext extends UrnContext {
  readonly domainId: string;
  /**
   * A short-lived URL this server serves a dependency version's zip at, signed for the caller
   * (dialects/shared/code-urls.ts): FunctionGraph's `link` and `download_link`.
   */
  readonly layerUrl: (layer: BoundLayer) => string;
}

/** The head of a function or one published version of it: what a metadata document describes. */
export interface Snapshot {
  readonly fn: FunctionRecord;
  readonly version: VersionRecord | null;
}

/** `2018-03-28T11:30:32+08:00`: the server's local time with its offset. */
export function rfc3339(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(Math.floor(Math.abs(n))).padStart(2, "0");
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const date = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return `${date}T${time}${sign}${p(offset / 60)}:${p(offset % 60)}`;
}

/** Settings FunctionGraph documents that Quiver keeps and echoes but does not act on. */
export function fgsExtras(config: FunctionConfig): Record<string, unknown> {
  const extras = config.extras["fgs"];
  return typeof extras === "object" && extras !== null ? (extras as Record<string, unknown>) : {};
}

function text(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}

/** FunctionGraph's CPU share is derived from memory: 128 MB → 300 millicores. */
export function cpuOf(memoryMb: number): number {
  return Math.round((memoryMb / 128) * 100 + 200);
}

function userDataOut(config: FunctionConfig): string {
  return Object.keys(config.environment).length === 0 ? "" : JSON.stringify(config.environment);
}

interface Parts {
  readonly config: FunctionConfig;
  readonly code: CodeRef | null;
  readonly versionName: string;
  readonly lastModified: number;
  readonly versionDescription: string;
  /** The head's hot-reload directory, when it runs one. */
  readonly hotReloadDir?: string | undefined;
}

function partsOf({ fn, version }: Snapshot): Parts {
  if (version) {
    return { config: version.config, code: version.code, versionName: version.name, lastModified: version.createdAt, versionDescription: version.description };
  }
  return { config: fn.config, code: fn.code, versionName: FG_LATEST, lastModified: fn.updatedAt, versionDescription: "", hotReloadDir: fn.hotReloadDir };
}

/**
 * A head running a hot-reload directory shows `obs` (with its `file://` URL); a version
 * published from one holds a stored package, so it shows `zip`.
 */
function codeTypeOf(parts: Parts, given: string): string {
  if (parts.hotReloadDir !== undefined) return "obs";
  return given === "obs" ? "zip" : given;
}

/** `image_name`: for a published version its name (as in the v1.0 example), for the head `latest-<revision>`. */
function imageName(fn: FunctionRecord, parts: Parts): string {
  return parts.versionName === FG_LATEST ? `latest-${fn.revision}` : parts.versionName;
}

/** The v2 function metadata of a head or version. `qualified` false gives the bare function URN (list functions). */
export function metadataOut(ctx: OutContext, snap: Snapshot, qualified = true): Record<string, unknown> {
  const { fn } = snap;
  const parts = partsOf(snap);
  const { config, code } = parts;
  const extras = fgsExtras(config);
  return {
    func_id: fn.id,
    resource_id: fn.id,
    func_urn: functionUrn(ctx, fn.namespace, fn.name, qualified ? parts.versionName : undefined),
    func_name: fn.name,
    domain_id: ctx.domainId,
    namespace: ctx.projectId,
    project_name: ctx.region,
    package: fn.namespace,
    runtime: fgsRuntimeName(config),
    timeout: config.timeoutSec,
    handler: config.handler,
    memory_size: config.memoryMb,
    cpu: cpuOf(config.memoryMb),
    code_type: codeTypeOf(parts, text(extras["code_type"], "zip")),
    code_url: parts.hotReloadDir === undefined ? "" : pathToFileURL(parts.hotReloadDir).href,
    code_filename: code?.fileName ?? "",
    code_size: code?.size ?? 0,
    user_data: userDataOut(config),
    encrypted_user_data: "",
    digest: code?.sha512 ?? "",
    version: parts.versionName,
    image_name: imageName(fn, parts),
    xrole: text(extras["xrole"]),
    app_xrole: text(extras["app_xrole"]),
    description: config.description,
    version_description: parts.versionDescription,
    last_modified: rfc3339(parts.lastModified),
    strategy_config: { concurrency: -1, concurrent_num: 1 },
    network_controller: { disable_public_network: config.publicNetwork !== true, trigger_access_vpcs: [] },
    initializer_handler: text(extras["initializer_handler"]),
    initializer_timeout: typeof extras["initializer_timeout"] === "number" ? extras["initializer_timeout"] : 0,
    enterprise_project_id: text(extras["enterprise_project_id"], "0"),
    long_time: false,
    // The same ids showLtsLogDetails gives: where the function's logs are queried.
    log_group_id: ltsGroupId(ctx.projectId),
    log_stream_id: fn.id,
    type: "v2",
    ...dependenciesOut(ctx, config),
  };
}

/** ShowFunctionCode / UpdateFunctionCode. Quiver has no object store to link to, so `file` carries the zip. */
export function codeOut(ctx: OutContext, snap: Snapshot, zip: Buffer | null): Record<string, unknown> {
  const meta = metadataOut(ctx, snap);
  const pick = ["func_urn", "func_name", "domain_id", "runtime", "code_type", "code_url", "code_filename", "code_size", "digest", "last_modified", "depend_list", "depend_version_list", "strategy_config", "dependencies"];
  return { ...Object.fromEntries(pick.map((key) => [key, meta[key]])), func_code: { file: zip ? zip.toString("base64") : "", link: "" } };
}

/** The exact field set of the v1.0 `<meta>` document (reference §4.2, the publish example). */
export function legacyMetadataOut(ctx: OutContext, snap: Snapshot): Record<string, unknown> {
  const m = metadataOut(ctx, snap);
  return {
    CodeFileName: m["code_filename"],
    CodeSize: m["code_size"],
    CodeType: m["code_type"],
    CodeUrl: m["code_url"],
    Cpu: m["cpu"],
    DependencyPkg: "",
    Description: m["description"],
    Digest: m["digest"],
    FuncName: m["func_name"],
    FuncUrn: m["func_urn"],
    Handler: m["handler"],
    ImageName: m["image_name"],
    LastModified: m["last_modified"],
    MemorySize: m["memory_size"],
    Namespace: m["namespace"],
    Package: m["package"],
    ProjectName: m["project_name"],
    Runtime: m["runtime"],
    Timeout: m["timeout"],
    UserData: m["user_data"],
    UserDomain: m["domain_id"],
    Version: m["version"],
    VersionDescription: m["version_description"],
    Xrole: m["xrole"],
  };
}

/** What a trigger's answer needs besides the trigger: where it is called, and its function. */
export interface TriggerOutContext {
  readonly invokeUrl: string;
  readonly fn: FunctionRecord;
}

/**
 * A trigger in the v2 shape (create, show, update, list items). HTTP triggers of every flavour
 * read as APIG; a timer as TIMER with its schedule as stored.
 */
export function triggerOut(ctx: OutContext, trigger: TriggerRecord, where: TriggerOutContext): Record<string, unknown> {
  const { settings } = trigger;
  const kept = fgsTriggerExtras(trigger);
  const eventData = settings.kind === "http"
    ? apigEventDataOut(trigger, settings, kept, {
      invokeUrl: where.invokeUrl,
      functionUrn: functionUrn(ctx, where.fn.namespace, where.fn.name),
      functionTimeoutMs: where.fn.config.timeoutSec * 1000,
    })
    : { name: trigger.name, schedule_type: settings.scheduleKind === "rate" ? "Rate" : "Cron", schedule: settings.expression, user_event: settings.payload };
  return {
    trigger_id: trigger.id,
    trigger_type_code: typeCodeOf(trigger),
    trigger_status: trigger.enabled ? "ACTIVE" : "DISABLED",
    event_data: eventData,
    last_updated_time: rfc3339(trigger.updatedAt),
    created_time: rfc3339(trigger.createdAt),
  };
}

/** The v1.0 shape: the v2 one plus `event_type_code` (as sent at create; "" otherwise). */
export function legacyTriggerOut(ctx: OutContext, trigger: TriggerRecord, where: TriggerOutContext): Record<string, unknown> {
  return { ...triggerOut(ctx, trigger, where), event_type_code: text(fgsTriggerExtras(trigger)["event_type_code"]) };
}

/** The FunctionGraph fields a trigger keeps that the neutral model has no place for. */
export function fgsTriggerExtras(trigger: TriggerRecord): Record<string, unknown> {
  const extras = trigger.extras["fgs"];
  return typeof extras === "object" && extras !== null ? (extras as Record<string, unknown>) : {};
}

/**
 * A dependency version in the v2 `Dependency` shape. `link` (and a shown version's `download_link`)
 * is a short-lived URL of the zip (there is no OBS here); `etag` is the zip's MD5, `last_modified` epoch seconds.
 */
export function dependencyOut(ctx: OutContext, layer: BoundLayer): Record<string, unknown> {
  const runtime = layer.compatibleRuntimes[0];
  return {
    id: layer.id,
    owner: ctx.domainId,
    link: ctx.layerUrl(layer),
    runtime: runtime ? fgsRuntimeName({ runtime, type: "Event" }) : "",
    etag: layer.md5,
    size: layer.code.size,
    name: layer.name,
    description: layer.description,
    file_name: layer.code.fileName,
    version: layer.version,
    dep_id: layer.layerId,
    last_modified: Math.floor(layer.createdAt / 1000),
    is_shared: false,
  };
}

/** A dependency package in `listDependencies`: its latest version's fields, with the package's id. */
export function dependencyPackageOut(ctx: OutContext, latest: BoundLayer): Record<string, unknown> {
  return { ...dependencyOut(ctx, latest), id: latest.layerId };
}

/** `depend_list`, `depend_version_list` and `dependencies` of a function's metadata. */
function dependenciesOut(ctx: OutContext, config: FunctionConfig): Record<string, unknown> {
  const layers = config.layers ?? [];
  return {
    depend_list: layers.map((layer) => layer.layerId),
    depend_version_list: layers.map((layer) => layer.id),
    dependencies: layers.map((layer) => dependencyOut(ctx, layer)),
  };
}
