import { z } from "zod";
import { QuiverError, invalid } from "../../core/errors.js";
import type { CorsSettings, HttpTriggerSettings, TriggerRecord } from "../../core/triggers.js";
import { timerDescOut } from "./timer-trigger.js";

/**
 * SCF's trigger `Type` and `TriggerDesc` ↔ the core's neutral trigger settings. `TriggerDesc`
 * is JSON text whose shape depends on the type:
 * - `http` (a function URL): `{"AuthType":"NONE"|"CAM","NetConfig":{…},"CorsConfig":{…}}`;
 * - `apigw` (the legacy API-gateway trigger): `{"api":{…},"service":{…},"release":{…}}`, all optional;
 * - `timer`: the cron itself (timer-trigger.ts).
 * What SCF documents but Quiver does not act on (network switches, the gateway's service and
 * release names, integrated-response flags) is kept beside the settings and shown back.
 */

/** The trigger types this dialect serves; every other one is refused with TriggerTypeUnsupported. */
export const SERVED_TYPES = ["http", "apigw", "timer"] as const;
export type ServedType = (typeof SERVED_TYPES)[number];
/** The HTTP trigger types, whose TriggerDesc is JSON. */
export type HttpType = Exclude<ServedType, "timer">;

/** How a trigger shows in SCF: a function URL is `http`; both API-gateway flavours are `apigw`; timers `timer`. */
export type ShownType = ServedType;

/** Longest TriggerDesc accepted (Quiver's bound; SCF documents none for these types). */
export const MAX_TRIGGER_DESC_CHARS = 4096;
/** Entries per CORS list, and characters per entry (Quiver's bounds). */
const MAX_CORS_ENTRIES = 50;
const MAX_CORS_ENTRY_CHARS = 255;
/** Browsers cap preflight caching far lower; a day is the most a trigger may ask. */
const MAX_CORS_MAX_AGE = 86_400;

export function servedType(type: string): ServedType {
  const served = SERVED_TYPES.find((t) => t === type);
  if (served) return served;
  throw new QuiverError("TriggerTypeUnsupported", `Trigger type "${type}" is not served by Quiver; the types it serves are ${SERVED_TYPES.join(", ")}.`, { subject: "trigger" });
}

export function shownType(trigger: Pick<TriggerRecord, "settings">): ShownType {
  const { settings } = trigger;
  if (settings.kind === "timer") return "timer";
  return settings.flavour === "function-url" ? "http" : "apigw";
}

/** The neutral settings a TriggerDesc asks for, and the SCF fields kept beside them (`extras.scf.desc`). */
export interface TriggerDescIn {
  readonly settings: HttpTriggerSettings;
  readonly kept: Readonly<Record<string, unknown>>;
}

// ---- http: a function URL ------------------------------------------------------------------------

const corsList = z.array(z.string().max(MAX_CORS_ENTRY_CHARS, `at most ${MAX_CORS_ENTRY_CHARS} characters`)).max(MAX_CORS_ENTRIES, `at most ${MAX_CORS_ENTRIES} entries`);

const CorsConfig = z.strictObject({
  Enable: z.boolean(),
  Origins: corsList,
  Headers: corsList.optional(),
  Methods: corsList.optional(),
  ExposeHeaders: corsList.optional(),
  MaxAge: z.number().int().min(0).max(MAX_CORS_MAX_AGE, `0 to ${MAX_CORS_MAX_AGE} seconds`).optional(),
  Credentials: z.boolean().optional(),
});

/** The URLs an answer adds to NetConfig: accepted back (a description copied from ListTriggers) and ignored. */
const shownUrl = z.string().optional();

const HttpDesc = z.strictObject({
  AuthType: z.enum(["NONE", "CAM"]),
  NetConfig: z.strictObject({
    EnableIntranet: z.boolean(),
    EnableExtranet: z.boolean(),
    IntranetUrl: shownUrl,
    IntranetHTTPUrl: shownUrl,
    ExtranetUrl: shownUrl,
    ExtranetHTTPUrl: shownUrl,
    WssIntranetUrl: shownUrl,
    WsIntranetUrl: shownUrl,
    WssExtranetUrl: shownUrl,
    WsExtranetUrl: shownUrl,
  }),
  CorsConfig: CorsConfig.optional(),
});

function httpIn(desc: z.infer<typeof HttpDesc>): TriggerDescIn {
  const cors = desc.CorsConfig;
  const { EnableIntranet, EnableExtranet } = desc.NetConfig;
  return {
    settings: {
      kind: "http",
      flavour: "function-url",
      auth: desc.AuthType === "CAM" ? "signed" : "none",
      path: "/",
      matchMode: "prefix",
      methods: ["ANY"],
      cors: cors?.Enable ? corsIn(cors) : null,
      timeoutMs: null,
    },
    // A switched-off CORS configuration has no neutral form; it is kept so it shows as sent.
    kept: { NetConfig: { EnableIntranet, EnableExtranet }, ...(cors && !cors.Enable ? { CorsConfig: cors } : {}) },
  };
}

function corsIn(cors: z.infer<typeof CorsConfig>): CorsSettings {
  return {
    origins: cors.Origins,
    methods: cors.Methods ?? [],
    headers: cors.Headers ?? [],
    exposeHeaders: cors.ExposeHeaders ?? [],
    maxAgeSec: cors.MaxAge ?? 0,
    credentials: cors.Credentials ?? false,
  };
}

// ---- apigw: the legacy API-gateway trigger ---------------------------------------------------------

const Flag = z.enum(["TRUE", "FALSE"]);
const GATEWAY_NAME_CHARS = 128;

const ApigwDesc = z.strictObject({
  api: z
    .strictObject({
      authRequired: Flag.optional(),
      requestConfig: z.strictObject({ method: z.enum(["ANY", "GET", "HEAD", "POST", "PUT", "DELETE"]).optional() }).optional(),
      isIntegratedResponse: Flag.optional(),
      IsBase64Encoded: Flag.optional(),
    })
    .optional(),
  service: z
    .strictObject({
      serviceId: z.string().max(GATEWAY_NAME_CHARS).optional(),
      serviceName: z.string().max(GATEWAY_NAME_CHARS).optional(),
      // What an answer shows (the trigger's URL): accepted back and ignored.
      subDomain: z.string().optional(),
    })
    .optional(),
  release: z.strictObject({ environmentName: z.enum(["release", "test", "prepub"]).optional() }).optional(),
});

function apigwIn(desc: z.infer<typeof ApigwDesc>): TriggerDescIn {
  const method = desc.api?.requestConfig?.method ?? "ANY";
  const service = desc.service ?? {};
  return {
    settings: {
      kind: "http",
      flavour: "api-gateway",
      auth: desc.api?.authRequired === "TRUE" ? "signed" : "none",
      path: "/",
      matchMode: "prefix",
      methods: [method],
      cors: null,
      timeoutMs: null,
    },
    kept: {
      isIntegratedResponse: desc.api?.isIntegratedResponse ?? "FALSE",
      IsBase64Encoded: desc.api?.IsBase64Encoded ?? "FALSE",
      ...(service.serviceId === undefined ? {} : { serviceId: service.serviceId }),
      ...(service.serviceName === undefined ? {} : { serviceName: service.serviceName }),
      environmentName: desc.release?.environmentName ?? "release",
    },
  };
}

// ---- in ------------------------------------------------------------------------------------------

/**
 * A TriggerDesc as the neutral settings. An `http` trigger needs one (AuthType and NetConfig are
 * required); an `apigw` trigger may leave it out. Problems are InvalidParameterValue.TriggerDesc,
 * or InvalidParameterValue.Cors for the CORS part.
 */
export function triggerDescIn(type: HttpType, text: string | undefined): TriggerDescIn {
  const value = parseDesc(type, text);
  if (type === "http") return httpIn(checked(HttpDesc, value));
  return apigwIn(checked(ApigwDesc, value ?? {}));
}

function parseDesc(type: HttpType, text: string | undefined): unknown {
  if (text === undefined || text.trim() === "") {
    if (type === "http") throw invalid("TriggerDesc", 'An http trigger needs a TriggerDesc, e.g. {"AuthType":"NONE","NetConfig":{"EnableIntranet":false,"EnableExtranet":true}}.');
    return undefined;
  }
  if (text.length > MAX_TRIGGER_DESC_CHARS) throw invalid("TriggerDesc", `TriggerDesc is ${text.length} characters long; at most ${MAX_TRIGGER_DESC_CHARS} are allowed.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid("TriggerDesc", `TriggerDesc of a ${type} trigger must be a JSON object; it is not JSON.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid("TriggerDesc", `TriggerDesc of a ${type} trigger must be a JSON object.`);
  return value;
}

function checked<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String) ?? [];
  const where = ["TriggerDesc", ...path].join(".");
  const missing = issue?.code === "invalid_type" && valueAt(value, path) === undefined;
  const message = `${where} is ${missing ? "required" : `invalid: ${issue?.message ?? "unexpected value"}`}.`;
  throw invalid(path[0] === "CorsConfig" ? "Cors" : "TriggerDesc", message);
}

// ---- out -----------------------------------------------------------------------------------------

/**
 * The trigger's SCF fields kept beside its neutral settings (`extras.scf`): `desc`, what its
 * TriggerDesc kept, and `CustomArgument` (of an HTTP trigger; a timer's is its payload).
 */
export function keptOf(trigger: Pick<TriggerRecord, "extras">): Record<string, unknown> {
  return objectOr(trigger.extras["scf"]);
}

/** The CustomArgument SCF shows: a timer's payload (whichever API set it), else what was kept. */
export function customArgumentOut(trigger: Pick<TriggerRecord, "extras" | "settings">): string {
  if (trigger.settings.kind === "timer") return trigger.settings.payload;
  const kept = keptOf(trigger)["CustomArgument"];
  return typeof kept === "string" ? kept : "";
}

/** The TriggerDesc SCF answers, with the trigger's URL in it (`url`: where the front door serves it). */
export function triggerDescOut(trigger: TriggerRecord, url: string): string {
  const { settings } = trigger;
  if (settings.kind === "timer") return timerDescOut(settings);
  const kept = objectOr(keptOf(trigger)["desc"]);
  if (settings.flavour === "function-url") return JSON.stringify(httpOut(settings, kept, url));
  return JSON.stringify(apigwOut(trigger, settings, kept, url));
}

/**
 * Quiver serves every URL on its own listener, which is the one address there is: it is shown as
 * the extranet URL (EnableExtranet true whatever was asked), and as the intranet URL too when
 * EnableIntranet was asked. The http and https fields carry the same URL.
 */
function httpOut(settings: HttpTriggerSettings, kept: Record<string, unknown>, url: string): Record<string, unknown> {
  const net = objectOr(kept["NetConfig"]);
  const intranet = net["EnableIntranet"] === true;
  return {
    AuthType: settings.auth === "signed" ? "CAM" : "NONE",
    NetConfig: {
      EnableIntranet: intranet,
      IntranetUrl: intranet ? url : "",
      IntranetHTTPUrl: intranet ? url : "",
      ExtranetUrl: url,
      ExtranetHTTPUrl: url,
      WssIntranetUrl: "",
      WsIntranetUrl: "",
      WssExtranetUrl: "",
      WsExtranetUrl: "",
      EnableExtranet: true,
    },
    ...(settings.cors ? { CorsConfig: corsOut(settings.cors) } : kept["CorsConfig"] ? { CorsConfig: kept["CorsConfig"] } : {}),
  };
}

function corsOut(cors: CorsSettings): Record<string, unknown> {
  return {
    Enable: true,
    Origins: cors.origins,
    Headers: cors.headers,
    Methods: cors.methods,
    ExposeHeaders: cors.exposeHeaders,
    MaxAge: cors.maxAgeSec,
    Credentials: cors.credentials,
  };
}

/**
 * The API-gateway description. A FunctionGraph APIG trigger shows here too, with the gateway
 * defaults; the URL is `service.subDomain` (the whole URL of the trigger, not only a host).
 */
function apigwOut(trigger: TriggerRecord, settings: HttpTriggerSettings, kept: Record<string, unknown>, url: string): Record<string, unknown> {
  const method = settings.methods.length === 1 ? (settings.methods[0] ?? "ANY") : "ANY";
  return {
    api: {
      authRequired: settings.auth === "signed" ? "TRUE" : "FALSE",
      requestConfig: { method },
      isIntegratedResponse: kept["isIntegratedResponse"] ?? "FALSE",
      IsBase64Encoded: kept["IsBase64Encoded"] ?? "FALSE",
    },
    service: {
      serviceId: kept["serviceId"] ?? `service-${trigger.id.slice(0, 8)}`,
      serviceName: kept["serviceName"] ?? "SCF_API_SERVICE",
      subDomain: url,
    },
    release: { environmentName: kept["environmentName"] ?? "release" },
  };
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

function objectOr(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
