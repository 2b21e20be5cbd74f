import { z } from "zod";
import type { AccountRegistry } from "../../accounts/accounts.js";
import { QuiverError, invalid } from "../../core/errors.js";
import type { TimerEvents } from "../../core/ports.js";
import type { TimerTriggerSettings, TriggerRecord } from "../../core/triggers.js";
import { MAX_TIMER_PAYLOAD_BYTES } from "../shared/vendor-cron.js";
import { triggerName } from "./apig-trigger.js";
import { rfc3339 } from "./map-out.js";
import { fgsSchedule } from "./timer-schedule.js";

/**
 * FunctionGraph `TIMER` triggers: `event_data` `{name, schedule_type, schedule, user_event}` ↔
 * neutral timer settings (shown back by `triggerOut` in map-out.ts, with the schedule as written),
 * and the event a fire of a FunctionGraph-made timer delivers. Every
 * problem is 400 FSS.1109 (invalid timer parameters), except a name over 64 characters
 * (FSS.1317, as for every trigger).
 */

/** The documented TIMER `event_data` (other keys are dropped). */
const TimerEventData = z.object({
  name: z.string(),
  schedule_type: z.enum(["Rate", "Cron"]),
  schedule: z.string(),
  user_event: z.string().nullish(),
});

/** What a TIMER `event_data` becomes: the trigger's name and settings. */
export interface TimerTriggerIn {
  readonly name: string;
  readonly settings: TimerTriggerSettings;
}

/** A new FunctionGraph timer; a cron without `CRON_TZ=` is read in `timezone`. */
export function timerTriggerIn(eventData: Readonly<Record<string, unknown>> | null | undefined, timezone: string): TimerTriggerIn {
  if (!eventData) throw new QuiverError("MissingParameter", "event_data is required: {name, schedule_type, schedule, user_event}.", { parameter: "event_data.timer" });
  const data = parsed(eventData);
  const payload = data.user_event ?? "";
  const bytes = Buffer.byteLength(payload);
  if (bytes > MAX_TIMER_PAYLOAD_BYTES) throw invalid("event_data.user_event", `event_data.user_event takes ${bytes} bytes; at most ${MAX_TIMER_PAYLOAD_BYTES} are allowed.`);
  const { scheduleKind, schedule } = fgsSchedule(data.schedule_type, data.schedule, timezone);
  return {
    name: triggerName(data.name, "event_data.timer"),
    settings: { kind: "timer", origin: "fgs", expression: data.schedule, scheduleKind, schedule, payload },
  };
}

/** The first problem of `event_data` as the invalid field, `event_data.<field>`. */
function parsed(eventData: Readonly<Record<string, unknown>>): z.output<typeof TimerEventData> {
  const result = TimerEventData.safeParse(eventData);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = String(issue?.path[0] ?? "schedule");
  const missing = eventData[field] === undefined || eventData[field] === null;
  const rule = field === "schedule_type" ? 'Rate or Cron' : "a string";
  const message = missing ? `event_data.${field} is required for a TIMER trigger.` : `event_data.${field} is invalid: it must be ${rule}.`;
  // `event_data.timer`: a timer's own parameters as a whole (FSS.1109), here its name.
  throw invalid(field === "name" ? "event_data.timer" : `event_data.${field}`, message);
}

/**
 * The documented timer event: `{"version":"v1.0","time","trigger_type":"TIMER","trigger_name",
 * "user_event"}`, `time` the scheduled fire time in RFC 3339 with the server's offset.
 */
export function fgsTimerEvent(trigger: Pick<TriggerRecord, "name" | "settings">, fireTimeMs: number): string {
  const userEvent = trigger.settings.kind === "timer" ? trigger.settings.payload : "";
  return JSON.stringify({ version: "v1.0", time: rfc3339(fireTimeMs), trigger_type: "TIMER", trigger_name: trigger.name, user_event: userEvent });
}

/**
 * A fire of a FunctionGraph-made timer (the core's TimerEvents for origin `fgs`): the timer
 * event, FunctionGraph's handler conventions with the owning account's project and the
 * function's package, and `TRIGGER_SRC=timer` for this call only (`triggerSrc`, a per-call
 * context value the bootstraps set in the environment).
 */
export function fgsTimerFire(accounts: AccountRegistry): TimerEvents {
  return (trigger, fn, fireTimeMs) => {
    const account = accounts.accounts.find((a) => a.name === fn.scope.accountId);
    return {
      event: fgsTimerEvent(trigger, fireTimeMs),
      convention: "fgs",
      contextValues: { projectId: account?.huawei?.projectId ?? "", package: fn.namespace, triggerSrc: "timer" },
    };
  };
}
