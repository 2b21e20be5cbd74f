import { z } from "zod";
import { QuiverError, invalid } from "../../core/errors.js";
import type { HttpTriggerSettings, TriggerRecord } from "../../core/triggers.js";
import { fgVersionName } from "./rules.js";

/**
 * FunctionGraph trigger types and the APIG trigger's `event_data` ↔ the neutral HTTP trigger
 * settings. What the neutral model has no field for (the API group, environment, protocol, API
 * type, sub-domain) is kept in the trigger's `extras.fgs` and shown again as it was sent.
 */

/** Every `trigger_type_code` FunctionGraph documents. */
export const DOCUMENTED_TRIGGER_TYPES: readonly string[] = [
  "TIMER", "APIG", "CTS", "DDS", "DMS", "DIS", "LTS", "OBS", "SMN", "KAFKA", "RABBITMQ",
  "DEDICATEDGATEWAY", "OPENSOURCEKAFKA", "APIC", "GAUSSMONGO", "EVENTGRID",
];

/** The types Quiver serves. */
export const SERVED_TRIGGER_TYPES: readonly string[] = ["APIG", "TIMER"];

/** The type code a create may use: an unknown code is invalid, a documented one Quiver does not serve is refused. */
export function creatableType(code: string): "APIG" | "TIMER" {
  if (code === "APIG" || code === "TIMER") return code;
  if (!DOCUMENTED_TRIGGER_TYPES.includes(code)) {
    throw invalid("trigger_type_code", `trigger_type_code "${code}" is not a FunctionGraph trigger type; Quiver serves ${SERVED_TRIGGER_TYPES.join(", ")}.`);
  }
  throw new QuiverError("TriggerTypeUnsupported", `Trigger type ${code} is not served by Quiver; it serves ${SERVED_TRIGGER_TYPES.join(", ")}.`, { subject: "trigger" });
}

/** How a stored trigger reads as a FunctionGraph `trigger_type_code`: every HTTP flavour is APIG. */
export function typeCodeOf(trigger: TriggerRecord): "APIG" | "TIMER" {
  return trigger.settings.kind === "http" ? "APIG" : "TIMER";
}

const NAME_MAX = 64;
const PATH_MAX = 255;
const SEGMENT = /^[A-Za-z0-9_.~-]+$/;

const Text = (max: number): z.ZodString => z.string().min(1).max(max);

const FuncInfo = z.object({
  function_urn: z.string().max(512).nullish(),
  invocation_type: z.enum(["sync", "async"]).nullish(),
  timeout: z.number().int().min(1).max(60_000),
  version: z.string().max(128).nullish(),
});

/** The documented APIG `event_data` (keys FunctionGraph does not document for APIG are dropped). */
export const ApigEventData = z.object({
  name: z.string(),
  group_id: Text(64),
  group_name: z.string().max(64).nullish(),
  env_id: Text(64),
  env_name: Text(64),
  auth: z.enum(["IAM", "APP", "NONE"]),
  protocol: z.enum(["HTTP", "HTTPS"]),
  path: z.string(),
  match_mode: z.enum(["SWA", "NORMAL"]),
  req_method: z.enum(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "ANY"]),
  type: z.union([z.literal(1), z.literal(2)]),
  backend_type: z.enum(["FUNCTION"]).nullish(),
  sl_domain: z.string().min(1).max(255).nullish(),
  func_info: FuncInfo.nullish(),
});
export type ApigEventDataIn = z.output<typeof ApigEventData>;

/** What an APIG `event_data` becomes: the trigger's name, settings, kept fields, and the version `func_info` names. */
export interface ApigTriggerIn {
  readonly name: string;
  readonly settings: HttpTriggerSettings;
  /** Stored under `extras.fgs`. */
  readonly kept: Readonly<Record<string, unknown>>;
  /** `func_info.version`, when given. */
  readonly version: string | undefined;
  /** `func_info.function_urn`, when given (it must name the function of the path). */
  readonly functionUrn: string | undefined;
}

export function apigTriggerIn(data: ApigEventDataIn): ApigTriggerIn {
  if (data.auth === "APP") {
    throw invalid("event_data.auth", "event_data.auth APP is not served: Quiver has no API Gateway apps to sign with; use IAM (requests signed with the account's AK/SK) or NONE.");
  }
  if (data.func_info?.invocation_type === "async") {
    throw invalid("event_data.func_info", "event_data.func_info.invocation_type async is not served: Quiver's gateway calls functions synchronously; use sync.");
  }
  const settings: HttpTriggerSettings = {
    kind: "http",
    flavour: "apig",
    auth: data.auth === "IAM" ? "signed" : "none",
    path: apigPath(data.path),
    matchMode: data.match_mode === "SWA" ? "prefix" : "exact",
    methods: [data.req_method],
    cors: null,
    timeoutMs: data.func_info?.timeout ?? null,
  };
  const kept = {
    group_id: data.group_id,
    group_name: data.group_name ?? undefined,
    env_id: data.env_id,
    env_name: data.env_name,
    protocol: data.protocol,
    type: data.type,
    sl_domain: data.sl_domain ?? undefined,
  };
  return { name: triggerName(data.name, "event_data"), settings, kept, version: data.func_info?.version ?? undefined, functionUrn: data.func_info?.function_urn ?? undefined };
}

/**
 * Trigger names, of every type: a letter first, then letters, digits, '_' or '-', at most 64
 * characters. Too long is its own code (FSS.1317); other problems are the type's invalid
 * parameters, named by `parameter` (APIG `event_data`, FSS.1107; timers FSS.1109).
 */
export function triggerName(name: string, parameter: "event_data" | "event_data.timer"): string {
  if (name.length > NAME_MAX) throw invalid("event_data.name", `event_data.name is ${name.length} characters long; at most ${NAME_MAX} are allowed.`);
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
    throw invalid(parameter, `event_data.name "${name}" is invalid: a letter first, then letters, digits, '_' or '-'.`);
  }
  return name;
}

/**
 * A request path: `/`, or `/`-separated segments of letters, digits and `_ . ~ -` (no empty,
 * `.` or `..` segment), at most 255 characters. APIG's `{param}` path parameters are not served.
 */
function apigPath(path: string): string {
  const segments = path.split("/").slice(1);
  const ok = path.startsWith("/") && path.length <= PATH_MAX
    && (path === "/" || segments.every((s) => SEGMENT.test(s) && s !== "." && s !== ".."));
  if (!ok) {
    throw invalid("event_data.path", `event_data.path "${path}" is invalid: "/" or "/"-separated segments of letters, digits, '_', '.', '~' or '-', at most ${PATH_MAX} characters (path parameters such as {id} are not served).`);
  }
  return path;
}

/** What `event_data` of an APIG trigger reads back from, besides the trigger itself. */
export interface ApigOutContext {
  readonly invokeUrl: string;
  /** The function's URN without a qualifier (`func_info.function_urn`). */
  readonly functionUrn: string;
  /** The function's own timeout in ms: the gateway's limit when the trigger sets none. */
  readonly functionTimeoutMs: number;
}

const text = (value: unknown, fallback: string): string => (typeof value === "string" ? value : fallback);

/**
 * An HTTP trigger's `event_data`, whichever API created it. Fields of a trigger created through
 * SCF that FunctionGraph has and SCF does not are given the documented defaults (the RELEASE
 * environment, a public API); its path is "/" and its URL the SCF one.
 */
export function apigEventDataOut(trigger: TriggerRecord, settings: HttpTriggerSettings, kept: Readonly<Record<string, unknown>>, out: ApigOutContext): Record<string, unknown> {
  const protocol = text(kept["protocol"], out.invokeUrl.startsWith("https:") ? "HTTPS" : "HTTP");
  return {
    name: trigger.name,
    group_id: text(kept["group_id"], ""),
    ...(typeof kept["group_name"] === "string" ? { group_name: kept["group_name"] } : {}),
    env_id: text(kept["env_id"], "DEFAULT_ENVIRONMENT_RELEASE_ID"),
    env_name: text(kept["env_name"], "RELEASE"),
    auth: settings.auth === "signed" ? "IAM" : "NONE",
    protocol,
    path: settings.path,
    match_mode: settings.matchMode === "prefix" ? "SWA" : "NORMAL",
    // One method, or ANY (an SCF trigger may serve several methods; FunctionGraph names one).
    req_method: settings.methods.length === 1 ? settings.methods[0] : "ANY",
    type: typeof kept["type"] === "number" ? kept["type"] : 1,
    backend_type: "FUNCTION",
    ...(typeof kept["sl_domain"] === "string" ? { sl_domain: kept["sl_domain"] } : {}),
    func_info: {
      function_urn: out.functionUrn,
      invocation_type: "sync",
      timeout: settings.timeoutMs ?? out.functionTimeoutMs,
      version: fgVersionName(trigger.qualifier),
    },
    api_id: trigger.id,
    api_name: trigger.name,
    invoke_url: out.invokeUrl,
    triggerid: trigger.id,
  };
}
