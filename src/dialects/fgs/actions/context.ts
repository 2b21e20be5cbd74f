import type { QuiverConfig } from "../../../config/config.js";
import { QuiverError } from "../../../core/errors.js";
import type { Scope } from "../../../core/model.js";
import type { FunctionService } from "../../../core/service.js";
import type { OutContext } from "../map-out.js";
import type { HuaweiAccount } from "../transport.js";
import { parseFunctionUrn, type FunctionRef } from "../urn.js";

/** Everything a FunctionGraph operation handler may use. */
export interface FgsContext {
  readonly scope: Scope;
  readonly account: HuaweiAccount;
  readonly out: OutContext;
  readonly service: FunctionService;
  readonly config: QuiverConfig;
  /** The `{function_urn}` path segment, decoded; absent on collection routes. */
  readonly urn: string | undefined;
  readonly query: URLSearchParams;
  readonly body: Buffer;
  readonly now: number;
}

export interface FgsResult {
  readonly status: number;
  /** Undefined for an empty (204) answer. */
  readonly body?: unknown;
}

export type FgsOperation = (ctx: FgsContext) => Promise<FgsResult>;

export const ok = (body: unknown): FgsResult => ({ status: 200, body });
export const noContent: FgsResult = { status: 204 };

/** The function the request's URN names. */
export function functionRef(ctx: FgsContext): FunctionRef {
  if (ctx.urn === undefined) throw new QuiverError("InvalidParameter", "The request names no function.", { field: "function_urn" });
  return parseFunctionUrn(ctx.urn, ctx.out);
}

export function queryValue(ctx: FgsContext, name: string): string | undefined {
  return ctx.query.get(name) ?? undefined;
}
