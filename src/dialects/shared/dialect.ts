import type { FastifyInstance } from "fastify";
import type { AccountRegistry } from "../../accounts/accounts.js";
import type { QuiverConfig } from "../../config/config.js";
import type { QuiverError } from "../../core/errors.js";
import type { InvocationRecordStore } from "../../core/invocation-records.js";
import type { InvocationService } from "../../core/invocations.js";
import type { Clock, TokenLimiter } from "../../core/ports.js";
import type { FunctionService } from "../../core/service.js";
import type { TimerScheduler } from "../../core/timer-scheduler.js";
import type { ApiRequestObserver } from "./pipeline.js";
import type { TriggerUrls } from "./trigger-urls.js";
import type { WireAnswer } from "./wire-answer.js";

/** What the composition root hands every dialect plugin. */
export interface DialectDeps {
  readonly service: FunctionService;
  readonly invocations: InvocationService;
  /** The invocation records, for the dialects' log, status and statistics APIs. */
  readonly records: InvocationRecordReader;
  /** Quiver's clock (virtual under `--clock virtual`): the time records are taken on, and log windows end at. */
  readonly clock: Clock;
  /** Timer triggers: `fireNow` runs one at once (a Quiver extension on both wires). */
  readonly timers: Pick<TimerScheduler, "fireNow">;
  readonly accounts: AccountRegistry;
  readonly config: QuiverConfig;
  /** One limiter for the server; each dialect keeps its buckets apart by a key prefix. */
  readonly limiter: TokenLimiter;
  /** The URL of each HTTP trigger, as both dialects show it. */
  readonly triggerUrls: TriggerUrls;
  /** Told of every API request answered (metrics). */
  readonly observeApiRequest?: ApiRequestObserver;
}

/** What the dialects read of the invocation records. */
export type InvocationRecordReader = Pick<InvocationRecordStore, "queryInvocationRecords" | "invocationBuckets">;

/** A vendor API as the server composes it: each dialect's `plugin.ts` exports one. */
export interface Dialect {
  readonly name: string;
  /**
   * The path prefixes the plugin serves (`/v2`); empty for the dialect served at `/`, which
   * answers every path no other dialect claims.
   */
  readonly prefixes: readonly string[];
  /** Registers the routes, and the error and not-found handlers of its scopes. */
  readonly plugin: (app: FastifyInstance, deps: DialectDeps) => Promise<void>;
  /** The vendor's error envelope. */
  readonly errorAnswer: (error: QuiverError, requestId: string) => WireAnswer;
  /** The wire names of its actions: the keys `rateLimits.overrides` may use. */
  readonly actionNames: ReadonlySet<string>;
}
