import type { BoundLayer, LayerVersionRecord } from "../../core/layers.js";
import { LATEST, type FunctionConfig, type FunctionRecord, type Namespace, type VersionRecord } from "../../core/model.js";
import type { TriggerRecord } from "../../core/triggers.js";
import type { InvocationRecord, ResultCode } from "../../core/invocation-records.js";
import { returnedText } from "../../core/invocation-text.js";
import { SCF_STATUS, scfLog } from "./invoke-out.js";
import { scfRuntimeName } from "./runtimes.js";
import { customArgumentOut, shownType, triggerDescOut } from "./trigger-desc.js";

/** SCF renders times as `YYYY-MM-DD hh:mm:ss` in the server's local time zone. */
export function scfTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function scfFunctionId(fn: FunctionRecord): string {
  return `lam-${fn.id}`;
}

function environmentOut(config: FunctionConfig): { Variables: { Key: string; Value: string }[] } {
  return { Variables: Object.entries(config.environment).map(([Key, Value]) => ({ Key, Value })) };
}

function scfExtras(config: FunctionConfig): Record<string, unknown> {
  const extras = config.extras["scf"];
  return typeof extras === "object" && extras !== null ? (extras as Record<string, unknown>) : {};
}

function objectOr(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** GetFunction: every documented field, with the empty values the official examples show; `triggers` as `triggerOut` renders them. */
export function getFunctionOut(
  fn: FunctionRecord,
  version: VersionRecord | null,
  triggers: readonly Record<string, unknown>[],
  layers: readonly Record<string, unknown>[],
): Record<string, unknown> {
  const config = version ? version.config : fn.config;
  const code = version ? version.code : fn.code;
  const qualifier = version ? version.name : LATEST;
  const extras = scfExtras(config);
  const modTime = version ? version.createdAt : fn.updatedAt;
  return {
    ModTime: scfTime(modTime),
    CodeInfo: "",
    Description: config.description,
    Triggers: triggers,
    Handler: config.handler,
    CodeSize: code?.size ?? 0,
    Timeout: config.timeoutSec,
    FunctionVersion: qualifier,
    MemorySize: config.memoryMb,
    Runtime: scfRuntimeName(config.runtime),
    FunctionName: fn.name,
    VpcConfig: extras["VpcConfig"] ?? { VpcId: "", SubnetId: "" },
    UseGpu: "FALSE",
    Environment: environmentOut(config),
    CodeResult: code || (!version && fn.hotReloadDir !== undefined) ? "success" : "failed",
    CodeError: "",
    ErrNo: 0,
    Namespace: fn.namespace,
    Role: extras["Role"] ?? "",
    InstallDependency: extras["InstallDependency"] ?? "FALSE",
    Status: version ? "Active" : fn.status,
    StatusDesc: version ? "" : fn.statusReason,
    ClsLogsetId: extras["ClsLogsetId"] ?? "",
    ClsTopicId: extras["ClsTopicId"] ?? "",
    FunctionId: scfFunctionId(fn),
    Tags: extras["Tags"] ?? [],
    EipConfig: { EipFixed: "FALSE", Eips: [] },
    AccessInfo: { Host: "", Vip: "" },
    Type: config.type,
    L5Enable: "FALSE",
    Layers: layers,
    DeadLetterConfig: extras["DeadLetterConfig"] ?? { Type: "", Name: "", FilterType: "" },
    AddTime: scfTime(fn.createdAt),
    PublicNetConfig: { PublicNetStatus: config.publicNetwork === true ? "ENABLE" : "DISABLE", EipConfig: { EipStatus: "DISABLE", EipAddress: [] } },
    OnsEnable: "FALSE",
    CfsConfig: { CfsInsList: [] },
    AvailableStatus: "Available",
    Qualifier: qualifier,
    InitTimeout: extras["InitTimeout"] ?? 65,
    StatusReasons: fn.statusReason && !version ? [{ ErrorCode: fn.status, ErrorMessage: fn.statusReason }] : [],
    AsyncRunEnable: extras["AsyncRunEnable"] ?? "FALSE",
    TraceEnable: extras["TraceEnable"] ?? "FALSE",
    ImageConfig: { ImageType: "", ImageUri: "", RegistryId: "", EntryPoint: "", Command: "", Args: "", ContainerImageAccelerate: false, ImagePort: 0 },
    ProtocolType: "",
    ProtocolParams: extras["ProtocolParams"] ?? {},
    InstanceConcurrencyConfig: extras["InstanceConcurrencyConfig"] ?? { DynamicEnabled: "FALSE", MaxConcurrency: 1 },
    DnsCache: extras["DnsCache"] ?? "FALSE",
    IntranetConfig: { IpFixed: "DISABLE", IpAddress: [], ...objectOr(extras["IntranetConfig"]) },
  };
}

/** What ListFunctions shows of a function's capacity: reserved memory (null when none) and the memory of its provisioned instances. */
export interface CapacityFacts {
  readonly reservedMb: number | null;
  readonly provisionedMb: number;
}

export function listFunctionItem(fn: FunctionRecord, capacity: CapacityFacts = { reservedMb: null, provisionedMb: 0 }): Record<string, unknown> {
  const extras = scfExtras(fn.config);
  return {
    ModTime: scfTime(fn.updatedAt),
    AddTime: scfTime(fn.createdAt),
    Runtime: scfRuntimeName(fn.config.runtime),
    FunctionName: fn.name,
    FunctionId: scfFunctionId(fn),
    Namespace: fn.namespace,
    Status: fn.status,
    StatusDesc: fn.statusReason,
    Description: fn.config.description,
    Tags: extras["Tags"] ?? [],
    Type: fn.config.type,
    StatusReasons: fn.statusReason ? [{ ErrorCode: fn.status, ErrorMessage: fn.statusReason }] : [],
    TotalProvisionedConcurrencyMem: capacity.provisionedMb,
    ReservedConcurrencyMem: capacity.reservedMb,
    AsyncRunEnable: extras["AsyncRunEnable"] ?? "FALSE",
    TraceEnable: extras["TraceEnable"] ?? "FALSE",
  };
}

export function publishOut(namespace: string, version: VersionRecord): Record<string, unknown> {
  return {
    FunctionVersion: version.name,
    CodeSize: version.code.size,
    MemorySize: version.config.memoryMb,
    Description: version.description,
    Handler: version.config.handler,
    Timeout: version.config.timeoutSec,
    Runtime: scfRuntimeName(version.config.runtime),
    Namespace: namespace,
  };
}

export function versionItem(version: VersionRecord): Record<string, unknown> {
  const time = scfTime(version.createdAt);
  return { Version: version.name, Description: version.description, AddTime: time, ModTime: time, Status: "Active" };
}

export function latestItem(fn: FunctionRecord): Record<string, unknown> {
  return { Version: LATEST, Description: fn.config.description, AddTime: scfTime(fn.createdAt), ModTime: scfTime(fn.updatedAt), Status: fn.status };
}

export function namespaceOut(ns: Namespace): Record<string, unknown> {
  return {
    Name: ns.name,
    Description: ns.description,
    AddTime: scfTime(ns.createdAt),
    ModTime: scfTime(ns.updatedAt),
    Type: "default",
  };
}

/** What SCF shows of a trigger besides the trigger itself: its function, owner and URL. */
export interface TriggerPlace {
  readonly fn: FunctionRecord;
  readonly uin: string;
  /** Where the front door serves the trigger. */
  readonly url: string;
}

/**
 * The `Trigger` model (CreateTrigger's TriggerInfo, GetFunction's Triggers): Enable as the
 * integer 1 or 0, times as `YYYY-MM-DD hh:mm:ss`, TriggerDesc as JSON text with the URL in it,
 * and the deprecated ResourceId, BindStatus and TriggerAttribute as the official examples show them.
 */
export function triggerOut(trigger: TriggerRecord, place: TriggerPlace): Record<string, unknown> {
  const { fn } = place;
  return {
    ModTime: scfTime(trigger.updatedAt),
    Type: shownType(trigger),
    TriggerDesc: triggerDescOut(trigger, place.url),
    TriggerName: trigger.name,
    AddTime: scfTime(trigger.createdAt),
    Enable: trigger.enabled ? 1 : 0,
    CustomArgument: customArgumentOut(trigger),
    AvailableStatus: "Available",
    ResourceId: `qcs::scf:${fn.scope.region}:uin/${place.uin}:function/${fn.name}/${trigger.name}`,
    BindStatus: "on",
    TriggerAttribute: "single",
    Qualifier: trigger.qualifier,
    Description: trigger.description,
  };
}

/** ListTriggers' `TriggerInfo`: the trigger model and `BoundResources` (custom domains, none here). */
export function triggerInfoOut(trigger: TriggerRecord, place: TriggerPlace): Record<string, unknown> {
  return { ...triggerOut(trigger, place), BoundResources: "" };
}

/**
 * A failed invocation's RetCode in GetFunctionLogs: the function status code SCF puts in its
 * error document for that kind of failure (Invoke's InvokeResult); 0 is success.
 */
const LOG_RET_CODE: Readonly<Record<ResultCode, number>> = {
  success: 0,
  "function-error": SCF_STATUS["user-error"],
  timeout: SCF_STATUS.timeout,
  memory: SCF_STATUS.memory,
  "start-failure": SCF_STATUS["runtime-start-failed"],
  throttled: SCF_STATUS["concurrency-limit"],
};

/** What an invocation returned (a string as it is), or why it failed. */
function retMsgOf(record: InvocationRecord): string {
  return record.resultCode === "success" ? returnedText(record.result) : record.errorMessage;
}

const millis = (ms: number): number => Math.round(ms * 1000) / 1000;

/** GetFunctionLogs' FunctionLog: a finished invocation, its whole log (up to the record cap) as SCF frames it. */
export function functionLogOut(record: InvocationRecord): Record<string, unknown> {
  return {
    FunctionName: record.functionName,
    RetMsg: retMsgOf(record),
    RequestId: record.requestId,
    StartTime: scfTime(record.startedAt),
    RetCode: LOG_RET_CODE[record.resultCode],
    InvokeFinished: 1,
    Duration: millis(record.durationMs),
    // SCF bills in steps of 100 ms, rounded up.
    BillDuration: Math.ceil(record.durationMs / 100) * 100,
    MemUsage: record.memoryUsedBytes,
    Log: scfLog({ ...record, output: record.log }, null),
    Level: "",
    Source: "",
    RetryNum: 0,
  };
}

/** GetRequestStatus' RequestStatus: RetCode 0 success, 1 running, -1 failed; MemUsage in MB. */
export function requestStatusOut(status: RequestStatus): Record<string, unknown> {
  const { record } = status;
  if (record === null) {
    return { FunctionName: status.functionName, RetMsg: status.retMsg, RequestId: status.requestId, StartTime: scfTime(status.startedAt), RetCode: status.retCode, Duration: millis(status.durationMs), MemUsage: 0, RetryNum: 0 };
  }
  return {
    FunctionName: record.functionName,
    RetMsg: retMsgOf(record),
    RequestId: record.requestId,
    StartTime: scfTime(record.startedAt),
    RetCode: record.resultCode === "success" ? 0 : -1,
    Duration: millis(record.durationMs),
    MemUsage: millis(record.memoryUsedBytes / (1024 * 1024)),
    RetryNum: 0,
  };
}

/**
 * What GetRequestStatus knows of a request: its record, or (an asynchronous invocation not yet
 * recorded) what the async table says.
 */
export type RequestStatus =
  | { readonly record: InvocationRecord }
  | { readonly record: null; readonly functionName: string; readonly requestId: string; readonly startedAt: number; readonly retCode: 0 | 1 | -1; readonly retMsg: string; readonly durationMs: number };

/** `LayerVersionInfo`: one layer version as SCF lists it. */
export function layerVersionInfo(layer: LayerVersionRecord): Record<string, unknown> {
  return {
    CompatibleRuntimes: layer.compatibleRuntimes.map(scfRuntimeName),
    AddTime: scfTime(layer.createdAt),
    Description: layer.description,
    LicenseInfo: layer.license,
    LayerVersion: layer.version,
    LayerName: layer.name,
    Status: layer.status,
    Stamp: "",
    Tags: objectOr(layer.extras["scf"])["Tags"] ?? [],
  };
}

/**
 * GetLayerVersion. `Location` is a pre-signed download URL of the zip, as the vendor's (Quiver's
 * own, short-lived: dialects/shared/code-urls.ts); `CodeSha256` is the zip's hex SHA-256.
 */
export function layerVersionOut(layer: LayerVersionRecord, location: string): Record<string, unknown> {
  const info = layerVersionInfo(layer);
  const fields = ["CompatibleRuntimes", "AddTime", "Description", "LicenseInfo", "LayerVersion", "LayerName", "Status"];
  return { ...Object.fromEntries(fields.map((field) => [field, info[field]])), CodeSha256: layer.code.sha256, Location: location };
}

/** A bound layer whose version was deleted since: functions keep running it, SCF shows it `Deleted`. */
export function deletedLayerInfo(layer: BoundLayer): Record<string, unknown> {
  return { CompatibleRuntimes: [], AddTime: "", Description: "", LicenseInfo: "", LayerVersion: layer.version, LayerName: layer.name, Status: "Deleted", Stamp: "", Tags: [] };
}
