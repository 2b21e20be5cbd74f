/**
 * What the client commands ask of a platform, in their own neutral words; `scf-platform.ts`
 * and `fgs-platform.ts` say it through the official Tencent and Huawei SDKs.
 */

export interface FunctionSettings {
  readonly runtime: string;
  readonly handler: string;
  readonly memoryMb?: number | undefined;
  readonly timeoutSec?: number | undefined;
  readonly description?: string | undefined;
  readonly environment?: Readonly<Record<string, string>> | undefined;
}

/** The code of a deploy: a zip, or a host directory (hot reload). */
export type CodeInput = { readonly zip: Buffer } | { readonly hotReloadDir: string };

export interface FunctionInfo {
  readonly name: string;
  readonly namespace: string;
  readonly status: string;
  readonly runtime: string;
  readonly handler: string;
  readonly memoryMb: number;
  readonly timeoutSec: number;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly codeSize: number;
}

export interface VersionInfo {
  readonly version: string;
  readonly description: string;
  readonly createdAt: string;
}

export interface AliasInfo {
  readonly name: string;
  readonly version: string;
  /** The one additional version and its share (0-100), when the alias splits traffic. */
  readonly additional?: { readonly version: string; readonly weight: number } | undefined;
  readonly description?: string | undefined;
}

export interface InvokeOutcome {
  readonly requestId: string;
  readonly result: string;
  /** The function's error document, when it failed. */
  readonly error: string | undefined;
  readonly log: string;
  readonly durationMs: number;
}

export interface LogEntry {
  readonly requestId: string;
  readonly startTime: string;
  readonly retCode: number;
  readonly durationMs: number;
  readonly log: string;
  readonly result: string;
}

export interface TriggerInfo {
  readonly name: string;
  readonly type: string;
  readonly qualifier: string;
  readonly enabled: boolean;
  readonly description: string;
}

/** A trigger `deploy` creates from a project file. */
export type TriggerSpec =
  | { readonly type: "timer"; readonly name: string; readonly cron: string; readonly enabled: boolean; readonly argument?: string | undefined; readonly qualifier?: string | undefined }
  | { readonly type: "http"; readonly name: string; readonly authType: "NONE" | "CAM"; readonly qualifier?: string | undefined };

export interface FunctionName {
  readonly namespace: string;
  readonly name: string;
}

export interface Platform {
  readonly dialect: "scf" | "fgs";
  /** The function, or null when it does not exist. */
  getFunction(fn: FunctionName, qualifier?: string): Promise<FunctionInfo | null>;
  createFunction(fn: FunctionName, settings: FunctionSettings, code: CodeInput): Promise<void>;
  updateCode(fn: FunctionName, code: CodeInput, handler: string): Promise<void>;
  updateSettings(fn: FunctionName, settings: FunctionSettings): Promise<void>;
  publish(fn: FunctionName, description: string): Promise<string>;
  listVersions(fn: FunctionName): Promise<VersionInfo[]>;
  /** The zip a version (or `$LATEST`) runs. */
  downloadCode(fn: FunctionName, qualifier: string): Promise<Buffer>;
  getAlias(fn: FunctionName, alias: string): Promise<AliasInfo | null>;
  listAliases(fn: FunctionName): Promise<AliasInfo[]>;
  /** Creates the alias, or repoints it when it exists. */
  putAlias(fn: FunctionName, alias: AliasInfo): Promise<void>;
  invoke(fn: FunctionName, qualifier: string | undefined, event: string, withLog: boolean): Promise<InvokeOutcome>;
  /** Finished invocations started in [sinceMs, untilMs], oldest first. */
  logs(fn: FunctionName, qualifier: string | undefined, sinceMs: number, untilMs: number): Promise<LogEntry[]>;
  listTriggers(fn: FunctionName): Promise<TriggerInfo[]>;
  /** Creates the trigger, or replaces one of the same name and type. */
  putTrigger(fn: FunctionName, trigger: TriggerSpec): Promise<void>;
  /** Runs a timer trigger now (Quiver's FireTrigger); returns the invocation's request id. */
  fireTrigger(fn: FunctionName, trigger: string): Promise<string>;
  listFunctions(namespace: string | undefined): Promise<FunctionInfo[]>;
  listNamespaces(): Promise<string[]>;
}

/** `$LATEST` as each dialect spells the head. */
export function headName(dialect: "scf" | "fgs"): string {
  return dialect === "scf" ? "$LATEST" : "latest";
}
