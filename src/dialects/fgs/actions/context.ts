import type { QuiverConfig } from "../../../config/config.js";
import type { AliasRecord } from "../../../core/aliases.js";
import { QuiverError, isQuiverError } from "../../../core/errors.js";
import type { InvocationService } from "../../../core/invocations.js";
import { LATEST, type FunctionRef, type Scope } from "../../../core/model.js";
import type { Clock } from "../../../core/ports.js";
import type { FunctionService } from "../../../core/service.js";
import type { TimerScheduler } from "../../../core/timer-scheduler.js";
import type { Action } from "../../shared/pipeline.js";
import type { InvocationRecordReader } from "../../shared/dialect.js";
import type { TriggerUrls } from "../../shared/trigger-urls.js";
import type { OutContext } from "../map-out.js";
import { FG_LATEST } from "../rules.js";
import type { OperationName, Route } from "../router.js";
import type { HuaweiAccount } from "../transport.js";
import { parseFunctionUrn, type FunctionUrn } from "../urn.js";

/** Everything a FunctionGraph operation handler may use. */
export interface FgsContext {
  readonly scope: Scope;
  readonly account: HuaweiAccount;
  readonly out: OutContext;
  readonly service: FunctionService;
  readonly invocations: InvocationService;
  /** The invocation records (LTS log query, statistics). */
  readonly records: InvocationRecordReader;
  /** Quiver's clock, on which records are taken: metric windows end at its now. */
  readonly clock: Clock;
  readonly config: QuiverConfig;
  /** Where each trigger is called (its `invoke_url`). */
  readonly triggerUrls: TriggerUrls;
  /** Fires a timer trigger now (`.../TIMER/{trigger_id}/fire`). */
  readonly timers: Pick<TimerScheduler, "fireNow">;
  /** The `{function_urn}` path segment, decoded; absent on collection routes. */
  readonly urn: string | undefined;
  /** The `{alias_name}` path segment of alias item routes. */
  readonly aliasName: string | undefined;
  /** The `{trigger_type_code}` and `{trigger_id}` path segments of trigger item routes. */
  readonly trigger: Route["trigger"];
  /** The `{period}` path segment of the statistics routes. */
  readonly period: string | undefined;
  /** The log group and stream of LTS's log query route. */
  readonly logStream: Route["logStream"];
  /** The `{depend_id}` and `{version}` path segments of the dependency version routes. */
  readonly dependency: Route["dependency"];
  readonly query: URLSearchParams;
  readonly body: Buffer;
  /** Request headers, names lower-cased (invoke options and alias rule routing read them). */
  readonly headers: Readonly<Record<string, string>>;
  readonly now: number;
}

export interface FgsResult {
  readonly status: number;
  /** Undefined for an empty (204) answer. */
  readonly body?: unknown;
  /** A body sent as it is (text/plain), instead of `body` as JSON: v0 invocation results. */
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type FgsOperation = (ctx: FgsContext) => Promise<FgsResult>;

/** A group of operations as declared: wire name (the SDK's method name) → handler and rate. */
export type FgsActions = Partial<Readonly<Record<OperationName, Action<FgsOperation>>>>;

export const ok = (body: unknown): FgsResult => ({ status: 200, body });
export const created = (body: unknown): FgsResult => ({ status: 201, body });
export const noContent: FgsResult = { status: 204 };

/** The request's function URN: package, name and qualifier. */
export function requestUrn(ctx: FgsContext): FunctionUrn {
  if (ctx.urn === undefined) throw new QuiverError("InvalidParameter", "The request names no function.", { parameter: "function_urn" });
  return parseFunctionUrn(ctx.urn, ctx.out);
}

/** The function a URN names (by default the request's), for the core. */
export function functionOf(ctx: FgsContext, urn: FunctionUrn = requestUrn(ctx)): FunctionRef {
  return { scope: ctx.scope, namespace: urn.package, name: urn.name };
}

export function queryValue(ctx: FgsContext, name: string): string | undefined {
  return ctx.query.get(name) ?? undefined;
}

/** What a URN's qualifier names: the head, a version, or an alias. */
export type NamedQualifier = { readonly kind: "latest" } | { readonly kind: "version"; readonly name: string } | { readonly kind: "alias"; readonly alias: AliasRecord };

/**
 * What a URN qualifier names: none or `latest` is the head, `!alias` an alias, and a plain name
 * a version or, when no version has that name, an alias (reference §3.1 calls that fallback
 * reasonable). A version or alias that does not exist is the core's not-found error.
 */
export async function namedQualifier(ctx: FgsContext, urn: FunctionUrn): Promise<NamedQualifier> {
  const q = urn.qualifier;
  const ref = functionOf(ctx, urn);
  if (q === null || q === FG_LATEST) return { kind: "latest" };
  if (q.startsWith("!")) return { kind: "alias", alias: (await ctx.service.aliases.get(ref, q.slice(1))).alias };
  try {
    await ctx.service.versions.resolve(ref, q);
    return { kind: "version", name: q };
  } catch (error) {
    if (!isQuiverError(error) || error.code !== "VersionNotFound") throw error;
    const found = await ctx.service.aliases.get(ref, q).catch(() => null);
    if (found === null) throw error;
    return { kind: "alias", alias: found.alias };
  }
}

/** The core version a URN qualifier names for reading or deleting (an alias: its main version). */
export async function versionOfQualifier(ctx: FgsContext, urn: FunctionUrn): Promise<string> {
  const named = await namedQualifier(ctx, urn);
  return named.kind === "latest" ? LATEST : named.kind === "version" ? named.name : named.alias.version;
}
