/**
 * `GET /quiver/v1/stats?function=<name>[&namespace=<ns>][&minutes=<n>]`: one function's
 * invocations, errors, throttles and p50/p99 duration per version over time, for the account
 * whose keys signed the request (as the live tail is signed). The console's charts read it:
 * `/metrics` is for the operator (token- or loopback-guarded, every account together), so a
 * tenant's own figures come from its invocation records instead. See docs/console.md.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { AccountRegistry } from "../accounts/accounts.js";
import { QuiverError } from "../core/errors.js";
import type { InvocationRecord, InvocationRecordStore } from "../core/invocation-records.js";
import { DEFAULT_NAMESPACE, type FunctionRecord, type FunctionRef, type Scope } from "../core/model.js";
import type { Clock, TokenLimiter } from "../core/ports.js";
import { MAX_STATS_MINUTES, statsWindow, versionStats, type StatsWindow } from "../core/version-stats.js";
import { toQuiverError } from "../dialects/shared/fastify-errors.js";
import { rawRequestOf } from "../dialects/shared/raw-request.js";
import { sendAnswer } from "../dialects/shared/wire-answer.js";
import { quiverErrorAnswer } from "./quiver-api.js";
import { signerOf } from "./quiver-auth.js";

/** Under Quiver's own API prefix (`/quiver`): `/quiver/v1/stats`. */
export const STATS_PATH = "/v1/stats";
const DEFAULT_MINUTES = 60;
/** Records read for one answer at most, newest first; beyond it the answer says `complete: false`. */
export const MAX_STATS_RECORDS = 5000;
const PAGE = 500;
/**
 * Requests per second per account: one answer reads up to MAX_STATS_RECORDS records, so it is
 * bounded like SCF's GetFunctionLogs (5/s), which reads the same records. The console asks once
 * per page view or refresh.
 */
export const STATS_RATE_PER_SECOND = 5;

export interface StatsDeps {
  readonly accounts: AccountRegistry;
  readonly findFunction: (ref: FunctionRef) => Promise<FunctionRecord>;
  readonly records: Pick<InvocationRecordStore, "queryInvocationRecords">;
  /** Quiver's clock: records are taken on it, so the window ends at its now. */
  readonly clock: Clock;
  readonly defaultRegion: string;
  /** Takes a token of a per-account bucket (the API's rate limiter); null: no rate limit (`--no-rate-limit`). */
  readonly limiter: TokenLimiter | null;
}

export function registerStatsEndpoint(scope: FastifyInstance, deps: StatsDeps): void {
  scope.get(STATS_PATH, async (request, reply) => {
    const requestId = randomUUID();
    try {
      const raw = rawRequestOf(request);
      const { account, scope: caller } = signerOf(raw, deps.accounts, deps.defaultRegion);
      if (deps.limiter && !(await deps.limiter.take(`quiver:stats:${account.name}`, STATS_RATE_PER_SECOND))) {
        throw new QuiverError("RateLimited", `At most ${STATS_RATE_PER_SECOND} statistics requests per second per account; try again in a moment.`);
      }
      const query = new URLSearchParams(raw.rawQuery);
      const name = query.get("function") ?? "";
      if (name === "") throw new QuiverError("MissingParameter", "Name the function: ?function=<name> (and optionally &namespace= and &minutes=).");
      const fn = await deps.findFunction({ scope: caller, namespace: query.get("namespace") || DEFAULT_NAMESPACE, name });
      const window = statsWindow(minutesOf(query.get("minutes")), deps.clock.now());
      const { records, complete } = await readWindow(deps, caller, fn.id, window);
      const body = { functionId: fn.id, from: window.from, to: window.to, bucketMs: window.bucketMs, complete, ...versionStats(records, window) };
      return await reply.header("cache-control", "no-store").send(body);
    } catch (error) {
      const quiverError = toQuiverError(error);
      if (!quiverError.isUserError) request.log.error({ err: error, requestId }, "statistics failed");
      await sendAnswer(reply, quiverErrorAnswer(quiverError, requestId));
    }
  });
}

function minutesOf(text: string | null): number {
  if (text === null) return DEFAULT_MINUTES;
  const minutes = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(minutes >= 1 && minutes <= MAX_STATS_MINUTES)) throw new QuiverError("InvalidParameter", `minutes "${text}" is invalid: 1 to ${MAX_STATS_MINUTES}.`);
  return minutes;
}

/** The window's records, newest first, at most MAX_STATS_RECORDS of them. */
async function readWindow(deps: StatsDeps, scope: Scope, functionId: string, window: StatsWindow): Promise<{ records: InvocationRecord[]; complete: boolean }> {
  const records: InvocationRecord[] = [];
  for (;;) {
    const page = await deps.records.queryInvocationRecords(scope, { functionId, from: window.from, to: window.to - 1, offset: records.length, limit: PAGE, order: "DESC", orderBy: "startedAt" });
    records.push(...page.items);
    if (records.length >= page.total) return { records, complete: true };
    if (page.items.length === 0 || records.length >= MAX_STATS_RECORDS) return { records, complete: false };
  }
}
