import type { Account } from "../../../accounts/accounts.js";
import type { QuiverConfig } from "../../../config/config.js";
import type { Scope } from "../../../core/model.js";
import type { Clock } from "../../../core/ports.js";
import type { InvocationService } from "../../../core/invocations.js";
import type { InvocationRecordReader } from "../../shared/dialect.js";
import type { FunctionService } from "../../../core/service.js";
import type { TimerScheduler } from "../../../core/timer-scheduler.js";
import type { TriggerUrls } from "../../shared/trigger-urls.js";
import type { Json } from "../params.js";

/** Everything an SCF action handler may use. */
export interface ScfContext {
  readonly scope: Scope;
  readonly account: Account;
  readonly service: FunctionService;
  readonly invocations: InvocationService;
  /** The invocation records (GetFunctionLogs, GetRequestStatus). */
  readonly records: InvocationRecordReader;
  /** Quiver's clock, on which records are taken: default log windows end at its now. */
  readonly clock: Clock;
  readonly config: QuiverConfig;
  /** Where each HTTP trigger is served, shown in its TriggerDesc. */
  readonly triggerUrls: TriggerUrls;
  /** Fires a timer trigger now (FireTrigger). */
  readonly timers: Pick<TimerScheduler, "fireNow">;
  readonly requestId: string;
  /** Where this server's API was reached (`http://host:port`, or the public URL): for URLs it serves itself. */
  readonly apiBase: string;
}

/** An action returns the fields of `Response` besides `RequestId`. */
export type ScfAction = (ctx: ScfContext, params: Record<string, Json>) => Promise<Record<string, unknown>>;
