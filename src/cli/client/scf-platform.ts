/** The client commands through the official Tencent Cloud SDK (SCF API 3.0). */
import { createHash } from "node:crypto";
import tencentcloud from "tencentcloud-sdk-nodejs-scf";
import type { TencentKeys } from "./credentials.js";
import { CliError, EXIT, fromSdkError, vendorCodeOf } from "./failure.js";
import { scfCron } from "./schedules.js";
import type { AliasInfo, CodeInput, FunctionInfo, FunctionName, FunctionSettings, InvokeOutcome, LogEntry, Platform, TriggerInfo, TriggerSpec, VersionInfo } from "./platform.js";

type Client = InstanceType<typeof tencentcloud.scf.v20180416.Client>;

/** A function that does not exist, as SCF says it. */
const NOT_FOUND = /^ResourceNotFound\.(Function|FunctionName|Namespace)$/;

export interface ScfConnection {
  /** Quiver's URL (`http://127.0.0.1:9000`); undefined for Tencent Cloud itself. */
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly keys: TencentKeys;
}

export function scfPlatform(connection: ScfConnection): Platform {
  const client = makeClient(connection);
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw fromSdkError(error);
    }
  };
  return {
    dialect: "scf",

    async getFunction(fn, qualifier) {
      try {
        const got = await client.GetFunction({ FunctionName: fn.name, Namespace: fn.namespace, ...(qualifier ? { Qualifier: qualifier } : {}) });
        return functionInfo(got, fn.namespace);
      } catch (error) {
        if (NOT_FOUND.test(vendorCodeOf(error) ?? "")) return null;
        throw fromSdkError(error);
      }
    },

    createFunction: (fn, settings, code) =>
      call(async () => {
        await client.CreateFunction({ FunctionName: fn.name, Namespace: fn.namespace, ...settingsIn(settings), Code: codeIn(code) });
      }),

    updateCode: (fn, code, handler) =>
      call(async () => {
        const source = "zip" in code ? { ZipFile: code.zip.toString("base64") } : { CosBucketName: "hot-reload", CosObjectName: code.hotReloadDir };
        await client.UpdateFunctionCode({ FunctionName: fn.name, Namespace: fn.namespace, Handler: handler, ...source });
      }),

    updateSettings: (fn, settings) =>
      call(async () => {
        await client.UpdateFunctionConfiguration({ FunctionName: fn.name, Namespace: fn.namespace, ...configIn(settings) });
      }),

    publish: (fn, description) =>
      call(async () => (await client.PublishVersion({ FunctionName: fn.name, Namespace: fn.namespace, Description: description })).FunctionVersion ?? ""),

    listVersions: (fn) =>
      call(async () => {
        const got = await client.ListVersionByFunction({ FunctionName: fn.name, Namespace: fn.namespace, Limit: 100, Order: "ASC" });
        return (got.Versions ?? []).map((v): VersionInfo => ({ version: v.Version ?? "", description: v.Description ?? "", createdAt: v.AddTime ?? "" }));
      }),

    downloadCode: (fn, qualifier) =>
      call(async () => {
        const address = await client.GetFunctionAddress({ FunctionName: fn.name, Namespace: fn.namespace, Qualifier: qualifier });
        const response = await fetch(address.Url ?? "");
        if (!response.ok) throw new CliError(`the code download of ${fn.name}:${qualifier} was refused (HTTP ${response.status})`, EXIT.api);
        const zip = Buffer.from(await response.arrayBuffer());
        const sha256 = createHash("sha256").update(zip).digest("hex");
        if (address.CodeSha256 && sha256 !== address.CodeSha256.toLowerCase()) {
          throw new CliError(`the code of ${fn.name}:${qualifier} arrived damaged (SHA-256 ${sha256}, expected ${address.CodeSha256})`, EXIT.api);
        }
        return zip;
      }),

    async getAlias(fn, alias) {
      try {
        return aliasInfo(await client.GetAlias({ FunctionName: fn.name, Namespace: fn.namespace, Name: alias }));
      } catch (error) {
        if (vendorCodeOf(error) === "ResourceNotFound.Alias") return null;
        throw fromSdkError(error);
      }
    },

    listAliases: (fn) =>
      call(async () => ((await client.ListAliases({ FunctionName: fn.name, Namespace: fn.namespace, Limit: "100" })).Aliases ?? []).map(aliasInfo)),

    putAlias: (fn, alias) =>
      call(async () => {
        const routing = { AdditionalVersionWeights: alias.additional ? [{ Version: alias.additional.version, Weight: alias.additional.weight / 100 }] : [] };
        const existing = await aliasExists(client, fn, alias.name);
        if (existing) {
          await client.UpdateAlias({ FunctionName: fn.name, Namespace: fn.namespace, Name: alias.name, FunctionVersion: alias.version, RoutingConfig: routing, ...(alias.description === undefined ? {} : { Description: alias.description }) });
        } else {
          await client.CreateAlias({ FunctionName: fn.name, Namespace: fn.namespace, Name: alias.name, FunctionVersion: alias.version, RoutingConfig: routing, Description: alias.description ?? "" });
        }
      }),

    invoke: (fn, qualifier, event, withLog) =>
      call(async () => {
        const got = await client.Invoke({ FunctionName: fn.name, Namespace: fn.namespace, ClientContext: event, LogType: withLog ? "Tail" : "None", ...(qualifier ? { Qualifier: qualifier } : {}) });
        const r = got.Result;
        return {
          requestId: r?.FunctionRequestId ?? "",
          result: r?.RetMsg ?? "",
          error: r?.ErrMsg ? r.ErrMsg : undefined,
          log: r?.Log ?? "",
          durationMs: r?.Duration ?? 0,
        } satisfies InvokeOutcome;
      }),

    logs: (fn, qualifier, sinceMs, untilMs) =>
      call(async () => {
        const got = await client.GetFunctionLogs({
          FunctionName: fn.name, Namespace: fn.namespace, ...(qualifier ? { Qualifier: qualifier } : {}),
          StartTime: scfTime(sinceMs), EndTime: scfTime(untilMs), Order: "ASC", OrderBy: "start_time", Limit: 100,
        });
        return (got.Data ?? []).map((d): LogEntry => ({ requestId: d.RequestId ?? "", startTime: d.StartTime ?? "", retCode: d.RetCode ?? 0, durationMs: d.Duration ?? 0, log: d.Log ?? "", result: d.RetMsg ?? "" }));
      }),

    listTriggers: (fn) =>
      call(async () => {
        const got = await client.ListTriggers({ FunctionName: fn.name, Namespace: fn.namespace, Limit: 100 });
        return (got.Triggers ?? []).map((t): TriggerInfo => ({ name: t.TriggerName ?? "", type: t.Type ?? "", qualifier: t.Qualifier ?? "", enabled: t.Enable === 1, description: t.TriggerDesc ?? "" }));
      }),

    checkTrigger: (trigger) => {
      triggerIn(trigger);
    },

    putTrigger: (fn, trigger) =>
      call(async () => {
        // Translated first: a trigger SCF cannot take is refused before the old one is deleted.
        const wanted = triggerIn(trigger);
        const existing = (await client.ListTriggers({ FunctionName: fn.name, Namespace: fn.namespace, Limit: 100 })).Triggers ?? [];
        if (existing.some((t) => t.TriggerName === trigger.name && t.Type === trigger.type)) {
          await client.DeleteTrigger({ FunctionName: fn.name, Namespace: fn.namespace, TriggerName: trigger.name, Type: trigger.type, ...(trigger.qualifier ? { Qualifier: trigger.qualifier } : {}) });
        }
        await client.CreateTrigger({ FunctionName: fn.name, Namespace: fn.namespace, ...wanted });
      }),

    fireTrigger: (fn, trigger) =>
      call(async () => {
        // Quiver's own action (not in Tencent's API), sent through the SDK's generic request.
        const answer = (await client.request("FireTrigger", { FunctionName: fn.name, Namespace: fn.namespace, TriggerName: trigger })) as { InvokeRequestId?: string };
        return answer.InvokeRequestId ?? "";
      }),

    listFunctions: (namespace) =>
      call(async () => {
        const got = await client.ListFunctions({ Limit: 100, ...(namespace ? { Namespace: namespace } : {}) });
        return (got.Functions ?? []).map((f): FunctionInfo => ({
          name: f.FunctionName ?? "", namespace: f.Namespace ?? "", status: f.Status ?? "", runtime: f.Runtime ?? "", handler: "", memoryMb: 0, timeoutSec: 0, description: f.Description ?? "", environment: {}, codeSize: 0,
        }));
      }),

    listNamespaces: () => call(async () => ((await client.ListNamespaces({ Limit: 100 })).Namespaces ?? []).map((n) => n.Name ?? "")),
  };
}

async function aliasExists(client: Client, fn: FunctionName, name: string): Promise<boolean> {
  try {
    await client.GetAlias({ FunctionName: fn.name, Namespace: fn.namespace, Name: name });
    return true;
  } catch (error) {
    if (vendorCodeOf(error) === "ResourceNotFound.Alias") return false;
    throw error;
  }
}

function makeClient(c: ScfConnection): Client {
  const endpoint = c.endpoint === undefined ? undefined : new URL(c.endpoint.includes("://") ? c.endpoint : `http://${c.endpoint}`);
  return new tencentcloud.scf.v20180416.Client({
    credential: { secretId: c.keys.secretId, secretKey: c.keys.secretKey },
    region: c.region,
    profile: {
      httpProfile: {
        reqTimeout: 120,
        ...(endpoint === undefined ? {} : { endpoint: endpoint.host, protocol: `${endpoint.protocol}//` }),
      },
    },
  });
}

function settingsIn(s: FunctionSettings): ReturnType<typeof configIn> & { Runtime: string; Handler: string } {
  return { Runtime: s.runtime, Handler: s.handler, ...configIn(s) };
}

/** What UpdateFunctionConfiguration changes (the runtime stays; the handler goes with the code). */
function configIn(s: FunctionSettings): { MemorySize?: number; Timeout?: number; Description?: string; Environment?: { Variables: { Key: string; Value: string }[] } } {
  return {
    ...(s.memoryMb === undefined ? {} : { MemorySize: s.memoryMb }),
    ...(s.timeoutSec === undefined ? {} : { Timeout: s.timeoutSec }),
    ...(s.description === undefined ? {} : { Description: s.description }),
    ...(s.environment === undefined ? {} : { Environment: { Variables: Object.entries(s.environment).map(([Key, Value]) => ({ Key, Value })) } }),
  };
}

function codeIn(code: CodeInput): { ZipFile: string } | { CosBucketName: string; CosObjectName: string } {
  return "zip" in code ? { ZipFile: code.zip.toString("base64") } : { CosBucketName: "hot-reload", CosObjectName: code.hotReloadDir };
}

function triggerIn(t: TriggerSpec): { TriggerName: string; Type: string; TriggerDesc: string; Enable?: string; CustomArgument?: string; Qualifier?: string } {
  const qualifier = t.qualifier ? { Qualifier: t.qualifier } : {};
  if (t.type === "timer") {
    return { TriggerName: t.name, Type: "timer", TriggerDesc: scfCron(t.name, t.schedule), Enable: t.enabled ? "OPEN" : "CLOSE", ...(t.argument === undefined ? {} : { CustomArgument: t.argument }), ...qualifier };
  }
  if (t.apig !== undefined || t.enabled === false) throw new CliError(`http trigger ${t.name} is an s.yaml APIG trigger: FunctionGraph settings SCF has no place for; deploy with --dialect fgs`, EXIT.usage);
  return { TriggerName: t.name, Type: "http", TriggerDesc: JSON.stringify({ AuthType: t.authType, NetConfig: { EnableIntranet: false, EnableExtranet: true } }), ...qualifier };
}

function functionInfo(got: { FunctionName?: string; Status?: string; Runtime?: string; Handler?: string; MemorySize?: number; Timeout?: number; Description?: string; CodeSize?: number; Environment?: { Variables?: { Key?: string; Value?: string }[] } }, namespace: string): FunctionInfo {
  return {
    name: got.FunctionName ?? "",
    namespace,
    status: got.Status ?? "",
    runtime: got.Runtime ?? "",
    handler: got.Handler ?? "",
    memoryMb: got.MemorySize ?? 0,
    timeoutSec: got.Timeout ?? 0,
    description: got.Description ?? "",
    environment: Object.fromEntries((got.Environment?.Variables ?? []).map((v) => [v.Key ?? "", v.Value ?? ""])),
    codeSize: got.CodeSize ?? 0,
  };
}

function aliasInfo(a: { Name?: string; FunctionVersion?: string; Description?: string; RoutingConfig?: { AdditionalVersionWeights?: { Version?: string; Weight?: number }[] } }): AliasInfo {
  const extra = a.RoutingConfig?.AdditionalVersionWeights?.[0];
  return {
    name: a.Name ?? "",
    version: a.FunctionVersion ?? "",
    description: a.Description ?? "",
    ...(extra?.Version ? { additional: { version: extra.Version, weight: Math.round((extra.Weight ?? 0) * 100) } } : {}),
  };
}

/** SCF's `YYYY-MM-DD hh:mm:ss`, in this host's time zone (the server's, for a local Quiver). */
export function scfTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
