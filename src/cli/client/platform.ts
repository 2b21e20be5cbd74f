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

/**
 * One finished invocation and its log. FunctionGraph's log service (LTS) holds only the lines a
 * function printed, so there the outcome, duration and result are null: not known, rather
 * than a made-up success.
 */
export interface LogEntry {
  readonly requestId: string;
  readonly startTime: string;
  readonly retCode: number | null;
  readonly durationMs: number | null;
  readonly log: string;
  readonly result: string | null;
}

export interface TriggerInfo {
  readonly name: string;
  readonly type: string;
  readonly qualifier: string;
  readonly enabled: boolean;
  readonly description: string;
}

/**
 * A timer's schedule in the form its project file wrote it: serverless.yml's SCF cron (7
 * fields, or the legacy 5), or s.yaml's FunctionGraph `Cron` (6 fields, `@every`, `CRON_TZ=`)
 * or `Rate` (`5m`). Each platform translates what it can (`schedules.ts`).
 */
export interface TimerSchedule {
  readonly form: "scf-cron" | "fgs-cron" | "fgs-rate";
  readonly text: string;
}

/** What an s.yaml APIG trigger says beyond name and auth (FunctionGraph only). */
export interface ApigSettings {
  readonly groupId?: string | undefined;
  readonly groupName?: string | undefined;
  readonly protocol?: "HTTP" | "HTTPS" | undefined;
  readonly timeoutMs?: number | undefined;
  readonly path?: string | undefined;
  readonly method?: string | undefined;
}

/** A trigger `deploy` creates from a project file. */
export type TriggerSpec =
  | { readonly type: "timer"; readonly name: string; readonly schedule: TimerSchedule; readonly enabled: boolean; readonly argument?: string | undefined; readonly qualifier?: string | undefined }
  | { readonly type: "http"; readonly name: string; readonly authType: "NONE" | "CAM"; readonly enabled?: boolean | undefined; readonly qualifier?: string | undefined; readonly apig?: ApigSettings | undefined };

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
  /** Throws (usage) when this platform cannot take the trigger: checked before a deploy changes anything. */
  checkTrigger(trigger: TriggerSpec): void;
  /** Creates the trigger, or replaces one of the same name and type. */
  putTrigger(fn: FunctionName, trigger: TriggerSpec): Promise<void>;
  /** Runs a timer trigger (by name; FunctionGraph: or id) now (Quiver's own fire); returns the invocation's request id. */
  fireTrigger(fn: FunctionName, trigger: string): Promise<string>;
  listFunctions(namespace: string | undefined): Promise<FunctionInfo[]>;
  listNamespaces(): Promise<string[]>;
}

/** `$LATEST` as each dialect spells the head. */
export function headName(dialect: "scf" | "fgs"): string {
  return dialect === "scf" ? "$LATEST" : "latest";
}
