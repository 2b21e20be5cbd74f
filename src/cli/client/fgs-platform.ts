/**
 * The client commands through the official Huawei Cloud SDK (FunctionGraph v2). Logs (LTS) and
 * Quiver's timer fire have no SDK method: they are sent signed by the core SDK's own signer
 * (huawei-signed.ts).
 */
import { createRequire } from "node:module";
import { BasicCredentials } from "@huaweicloud/huaweicloud-sdk-core";
import * as fg from "@huaweicloud/huaweicloud-sdk-functiongraph";
import type { HuaweiKeys } from "./credentials.js";
import { CliError, EXIT, fromSdkError, vendorCodeOf } from "./failure.js";
import { entriesOf, streamLines } from "./fgs-logs.js";
import { apigEventData, fireTimer, timerEventData } from "./fgs-triggers.js";
import type { AliasInfo, FunctionInfo, FunctionName, Platform, TriggerInfo, VersionInfo } from "./platform.js";

/**
 * The Huawei SDK logs every refused request with its headers to stdout through log4js, which
 * would break `--json` output and repeat what the CLI reports itself: its logger is turned off.
 */
function silenceSdkLogger(): void {
  const { Logger4jInstance } = createRequire(import.meta.url)("@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger.js") as { Logger4jInstance: { level: string } };
  Logger4jInstance.level = "off";
}

export interface FgsConnection {
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly keys: HuaweiKeys;
}

type Wire = Record<string, unknown>;
const wire = (value: unknown): Wire => value as Wire;
const text = (value: unknown): string => (typeof value === "string" ? value : value === undefined || value === null ? "" : String(value));

export function fgsPlatform(connection: FgsConnection): Platform {
  silenceSdkLogger();
  const urls = baseUrls(connection);
  const credential = credentialOf(connection);
  const client = fg.FunctionGraphClient.newBuilder().withCredential(credential).withEndpoint(urls.functionGraph).build();
  const projectId = connection.keys.projectId;
  const urn = (fn: FunctionName, qualifier?: string): string =>
    `urn:fss:${connection.region}:${connection.keys.projectId}:function:${fn.namespace}:${fn.name}${qualifier === undefined ? "" : `:${qualifier}`}`;
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw fromSdkError(error);
    }
  };
  const aliasOf = (a: Wire): AliasInfo => {
    const weights = (a["additional_version_weights"] ?? {}) as Record<string, number>;
    const [extra] = Object.entries(weights);
    return { name: text(a["name"]), version: text(a["version"]), description: text(a["description"]), ...(extra ? { additional: { version: extra[0], weight: extra[1] } } : {}) };
  };
  const getAlias = async (fn: FunctionName, alias: string): Promise<AliasInfo | null> => {
    try {
      return aliasOf(wire(await client.showVersionAlias(new fg.ShowVersionAliasRequest().withFunctionUrn(urn(fn)).withAliasName(alias))));
    } catch (error) {
      if (vendorCodeOf(error) === "FSS.1053") return null;
      throw fromSdkError(error);
    }
  };
  /** What a qualifier runs: the head, a version, or the versions an alias splits between now (LTS labels lines with the version that ran). */
  const versionsBehind = async (fn: FunctionName, qualifier: string): Promise<string[]> => {
    if (qualifier === "latest" || qualifier === "$LATEST") return ["latest"];
    const alias = await getAlias(fn, qualifier.replace(/^!/, ""));
    if (alias === null) return [qualifier];
    return alias.additional ? [alias.version, alias.additional.version] : [alias.version];
  };
  const rawTriggers = async (fn: FunctionName): Promise<Wire[]> => wire(await client.listFunctionTriggers(new fg.ListFunctionTriggersRequest().withFunctionUrn(urn(fn)))) as unknown as Wire[];
  /** A trigger's name is its `event_data.name` (what project files and `trigger fire` use); its id otherwise. */
  const nameOf = (t: Wire): string => text(wire(t["event_data"] ?? {})["name"]) || text(t["trigger_id"]);
  return {
    dialect: "fgs",

    async getFunction(fn, qualifier) {
      try {
        return infoOf(wire(await client.showFunctionConfig(new fg.ShowFunctionConfigRequest().withFunctionUrn(urn(fn, qualifier ?? "latest")))));
      } catch (error) {
        if (vendorCodeOf(error) === "FSS.1051") return null;
        throw fromSdkError(error);
      }
    },

    createFunction: (fn, s, code) =>
      call(async () => {
        const body = new fg.CreateFunctionRequestBody().withFuncName(fn.name).withPackage(fn.namespace).withRuntime(s.runtime).withHandler(s.handler)
          .withMemorySize(s.memoryMb ?? 128).withTimeout(s.timeoutSec ?? 3);
        if (s.description !== undefined) body.withDescription(s.description);
        if (s.environment !== undefined) body.withUserData(JSON.stringify(s.environment));
        if ("zip" in code) body.withCodeType("zip").withFuncCode(new fg.FuncCode().withFile(code.zip.toString("base64")));
        else body.withCodeType("obs").withCodeUrl(`file://${code.hotReloadDir}`);
        await client.createFunction(new fg.CreateFunctionRequest().withBody(body));
      }),

    updateCode: (fn, code) =>
      call(async () => {
        const body = new fg.UpdateFunctionCodeRequestBody();
        if ("zip" in code) body.withCodeType("zip").withFuncCode(new fg.FuncCode().withFile(code.zip.toString("base64")));
        else body.withCodeType("obs").withCodeUrl(`file://${code.hotReloadDir}`).withFuncCode(new fg.FuncCode());
        await client.updateFunctionCode(new fg.UpdateFunctionCodeRequest().withFunctionUrn(urn(fn, "latest")).withBody(body));
      }),

    updateSettings: (fn, s) =>
      call(async () => {
        const body = new fg.UpdateFunctionConfigRequestBody().withFuncName(fn.name).withRuntime(s.runtime).withHandler(s.handler)
          .withMemorySize(s.memoryMb ?? 128).withTimeout(s.timeoutSec ?? 3);
        if (s.description !== undefined) body.withDescription(s.description);
        if (s.environment !== undefined) body.withUserData(JSON.stringify(s.environment));
        await client.updateFunctionConfig(new fg.UpdateFunctionConfigRequest().withFunctionUrn(urn(fn, "latest")).withBody(body));
      }),

    publish: (fn, description) =>
      call(async () => {
        const body = new fg.CreateFunctionVersionRequestBody().withDescription(description);
        return text(wire(await client.createFunctionVersion(new fg.CreateFunctionVersionRequest().withFunctionUrn(urn(fn)).withBody(body)))["version"]);
      }),

    listVersions: (fn) =>
      call(async () => {
        const got = wire(await client.listFunctionVersions(new fg.ListFunctionVersionsRequest().withFunctionUrn(urn(fn)).withMaxitems("400")));
        return ((got["versions"] ?? []) as Wire[]).map((v): VersionInfo => ({ version: text(v["version"]), description: text(v["version_description"] ?? v["description"]), createdAt: text(v["last_modified"]) }));
      }),

    downloadCode: (fn, qualifier) =>
      call(async () => {
        const got = wire(await client.showFunctionCode(new fg.ShowFunctionCodeRequest().withFunctionUrn(urn(fn, qualifier))));
        const file = text((got["func_code"] as Wire | undefined)?.["file"]);
        if (file === "") throw new CliError(`FunctionGraph gave no code for ${fn.name}:${qualifier} (the real service returns none; Quiver does unless the head runs a hot-reload directory)`, EXIT.api);
        return Buffer.from(file, "base64");
      }),

    getAlias,

    listAliases: (fn) => call(async () => (wire(await client.listVersionAliases(new fg.ListVersionAliasesRequest().withFunctionUrn(urn(fn)))) as unknown as Wire[]).map(aliasOf)),

    putAlias(fn, alias) {
      const weights = alias.additional ? { [alias.additional.version]: alias.additional.weight } : {};
      return call(async () => {
        const exists = (await getAlias(fn, alias.name)) !== null;
        if (exists) {
          const body = new fg.UpdateVersionAliasRequestBody().withVersion(alias.version).withAdditionalVersionWeights(weights);
          if (alias.description !== undefined) body.withDescription(alias.description);
          await client.updateVersionAlias(new fg.UpdateVersionAliasRequest().withFunctionUrn(urn(fn)).withAliasName(alias.name).withBody(body));
        } else {
          const body = new fg.CreateVersionAliasRequestBody().withName(alias.name).withVersion(alias.version).withAdditionalVersionWeights(weights).withDescription(alias.description ?? "");
          await client.createVersionAlias(new fg.CreateVersionAliasRequest().withFunctionUrn(urn(fn)).withBody(body));
        }
      });
    },

    invoke: (fn, qualifier, event, withLog) =>
      call(async () => {
        const request = new fg.InvokeFunctionRequest().withFunctionUrn(urn(fn, qualifier ?? "latest")).withXCFFRequestVersion("v1").withBody(JSON.parse(event) as Record<string, object>);
        if (withLog) request.withXCffLogType("tail");
        const got = wire(await client.invokeFunction(request));
        const status = Number(got["status"] ?? 200);
        return {
          requestId: text(got["request_id"] ?? got["X-Cff-Request-Id"]),
          result: text(got["result"]),
          // The v1 envelope's status is the function's: 200 when it returned, else its failure's.
          error: status >= 300 ? text(got["result"]) : undefined,
          log: text(got["log"]),
          durationMs: 0,
        };
      }),

    logs: (fn, qualifier, sinceMs, untilMs) =>
      call(async () => {
        const ids = wire(await client.showLtsLogDetails(new fg.ShowLtsLogDetailsRequest().withFunctionUrn(urn(fn))));
        const versions = qualifier === undefined ? null : await versionsBehind(fn, qualifier);
        const stream = { base: urls.lts, credential, projectId, groupId: text(ids["group_id"]), streamId: text(ids["stream_id"]) };
        return entriesOf(await streamLines(stream, sinceMs, untilMs), versions);
      }),

    listTriggers: (fn) =>
      call(async () => (await rawTriggers(fn)).map((t): TriggerInfo => ({
        name: nameOf(t), type: text(t["trigger_type_code"]), qualifier: "", enabled: text(t["trigger_status"]) === "ACTIVE", description: JSON.stringify(t["event_data"] ?? {}),
      }))),

    checkTrigger: (trigger) => {
      if (trigger.type === "timer") timerEventData(trigger);
    },

    putTrigger: (fn, trigger) =>
      call(async () => {
        const typeCode = trigger.type === "timer" ? "TIMER" : "APIG";
        // Translated first: a trigger FunctionGraph cannot take is refused before the old one is deleted.
        const eventData = trigger.type === "timer" ? timerEventData(trigger) : apigEventData(fn, trigger);
        const existing = (await rawTriggers(fn)).find((t) => text(t["trigger_type_code"]) === typeCode && nameOf(t) === trigger.name);
        if (existing !== undefined) {
          await client.deleteFunctionTrigger(new fg.DeleteFunctionTriggerRequest().withFunctionUrn(urn(fn)).withTriggerTypeCode(typeCode).withTriggerId(text(existing["trigger_id"])));
        }
        const body = new fg.CreateFunctionTriggerRequestBody().withTriggerTypeCode(typeCode).withTriggerStatus(trigger.enabled === false ? "DISABLED" : "ACTIVE")
          .withEventData(Object.assign(new fg.TriggerEventDataRequestBody(), eventData));
        const qualifier = trigger.qualifier === "$LATEST" ? "latest" : trigger.qualifier;
        await client.createFunctionTrigger(new fg.CreateFunctionTriggerRequest().withFunctionUrn(urn(fn, qualifier)).withBody(body));
      }),

    fireTrigger: (fn, trigger) =>
      call(async () => {
        const timer = (await rawTriggers(fn)).find((t) => text(t["trigger_type_code"]) === "TIMER" && (nameOf(t) === trigger || text(t["trigger_id"]) === trigger));
        if (timer === undefined) throw new CliError(`${fn.name} has no timer trigger named ${trigger}`, EXIT.api, { hint: "list them with `quiver trigger list FUNCTION --dialect fgs`" });
        return fireTimer({ base: urls.functionGraph, credential, projectId }, urn(fn), text(timer["trigger_id"]));
      }),

    listFunctions: (namespace) =>
      call(async () => {
        const request = new fg.ListFunctionsRequest().withMaxitems("400");
        if (namespace) request.withPackageName(namespace);
        return ((wire(await client.listFunctions(request))["functions"] ?? []) as Wire[]).map(infoOf);
      }),

    async listNamespaces() {
      return [...new Set((await this.listFunctions(undefined)).map((f) => f.namespace))].sort();
    },
  };
}

function credentialOf(c: FgsConnection): BasicCredentials {
  return new BasicCredentials().withAk(c.keys.ak).withSk(c.keys.sk).withProjectId(c.keys.projectId);
}

/** Quiver serves FunctionGraph and LTS on one listener; Huawei Cloud has a host per service and region. */
function baseUrls(c: FgsConnection): { functionGraph: string; lts: string } {
  if (c.endpoint === undefined) return { functionGraph: `https://functiongraph.${c.region}.myhuaweicloud.com`, lts: `https://lts.${c.region}.myhuaweicloud.com` };
  const base = (c.endpoint.includes("://") ? c.endpoint : `http://${c.endpoint}`).replace(/\/+$/, "");
  return { functionGraph: base, lts: base };
}

function infoOf(f: Wire): FunctionInfo {
  let environment: Record<string, string> = {};
  try {
    environment = f["user_data"] ? (JSON.parse(text(f["user_data"])) as Record<string, string>) : {};
  } catch {
    environment = {};
  }
  return {
    name: text(f["func_name"]),
    namespace: text(f["package"]),
    status: "Active",
    runtime: text(f["runtime"]),
    handler: text(f["handler"]),
    memoryMb: Number(f["memory_size"] ?? 0),
    timeoutSec: Number(f["timeout"] ?? 0),
    description: text(f["description"]),
    environment,
    codeSize: Number(f["code_size"] ?? 0),
  };
}
