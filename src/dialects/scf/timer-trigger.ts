import type { AccountRegistry } from "../../accounts/accounts.js";
import { invalid } from "../../core/errors.js";
import type { TimerEvents } from "../../core/ports.js";
import type { TimerTriggerSettings, TriggerRecord } from "../../core/triggers.js";
import { MAX_TIMER_PAYLOAD_BYTES } from "../shared/vendor-cron.js";
import { scfSchedule } from "./timer-schedule.js";

/**
 * SCF `timer` triggers: the TriggerDesc and CustomArgument of CreateTrigger and UpdateTrigger
 * as neutral timer settings, and the event a fire of an SCF-made timer delivers. A timer's
 * TriggerDesc is its cron as text (`0 0 9 * * MON-FRI *`); answers show it as `{"cron":"…"}`, which
 * is accepted back. CustomArgument is the timer's payload, the event's `Message`.
 */

/** Timer names as SCF's timer page documents them: a letter, then letters, digits, '-' or '_', at most 60. */
const TIMER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/;

export function timerName(name: string): string {
  if (!TIMER_NAME.test(name)) throw invalid("TriggerName", `TriggerName "${name}" is invalid for a timer: a letter, then letters, digits, '-' or '_', at most 60 characters.`);
  return name;
}

/** CustomArgument: at most 4 KB (for every type; a timer delivers it as the event's Message). */
export function customArgument(value: string): string {
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_TIMER_PAYLOAD_BYTES) throw invalid("CustomArgument", `CustomArgument takes ${bytes} bytes; at most ${MAX_TIMER_PAYLOAD_BYTES} are allowed.`);
  return value;
}

/** A new SCF timer: its cron read in `timezone`, CustomArgument as the payload. */
export function timerSettingsIn(desc: string | undefined, payload: string, timezone: string): TimerTriggerSettings {
  const expression = cronOf(desc);
  return { kind: "timer", origin: "scf", expression, scheduleKind: "cron", schedule: scfSchedule(expression, timezone), payload };
}

/**
 * A timer's settings after UpdateTrigger: a TriggerDesc replaces the schedule, a CustomArgument
 * the payload. The origin stays: the function keeps getting the event it was written for,
 * whichever API changed the schedule.
 */
export function timerSettingsChanged(settings: TimerTriggerSettings, change: { desc?: string | undefined; payload?: string | undefined }, timezone: string): TimerTriggerSettings {
  const expression = change.desc === undefined ? null : cronOf(change.desc);
  return {
    ...settings,
    ...(expression === null ? {} : { expression, scheduleKind: "cron" as const, schedule: scfSchedule(expression, timezone) }),
    ...(change.payload === undefined ? {} : { payload: change.payload }),
  };
}

/** The cron a timer TriggerDesc carries: the expression as documented, or `{"cron":"…"}` as answers show it. */
function cronOf(desc: string | undefined): string {
  const text = desc?.trim() ?? "";
  if (text === "") throw invalid("TriggerDesc", 'A timer trigger needs a TriggerDesc: its cron, e.g. "0 */5 * * * * *" (every 5 minutes).');
  if (!text.startsWith("{")) return text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  const cron = typeof value === "object" && value !== null && Object.keys(value).length === 1 ? (value as Record<string, unknown>)["cron"] : undefined;
  if (typeof cron !== "string") throw invalid("TriggerDesc", `TriggerDesc "${text}" is not a timer cron: send the cron itself, e.g. "0 */5 * * * * *", or {"cron":"0 */5 * * * * *"}.`);
  return cron.trim();
}

/** The TriggerDesc SCF answers for a timer: the expression as written, whichever API wrote it. */
export function timerDescOut(settings: TimerTriggerSettings): string {
  return JSON.stringify({ cron: settings.expression });
}

/**
 * The documented timer event: `{"Type":"Timer","TriggerName","Time","Message"}`, `Time` the
 * scheduled fire time in UTC to the second (`2019-02-21T11:49:00Z`), `Message` the CustomArgument.
 */
export function scfTimerEvent(trigger: Pick<TriggerRecord, "name" | "settings">, fireTimeMs: number): string {
  const time = new Date(fireTimeMs).toISOString().replace(/\.\d{3}Z$/, "Z");
  const message = trigger.settings.kind === "timer" ? trigger.settings.payload : "";
  return JSON.stringify({ Type: "Timer", TriggerName: trigger.name, Time: time, Message: message });
}

/**
 * A fire of an SCF-made timer (the core's TimerEvents for origin `scf`): the timer event, SCF's
 * handler conventions with the owning account's AppId and Uin, and `TRIGGER_SRC=timer` for this
 * call only (`triggerSrc`, a per-call context value the bootstraps set in the environment).
 */
export function scfTimerFire(accounts: AccountRegistry): TimerEvents {
  return (trigger, fn, fireTimeMs) => {
    const account = accounts.accounts.find((a) => a.name === fn.scope.accountId);
    return {
      event: scfTimerEvent(trigger, fireTimeMs),
      convention: "scf",
      contextValues: { appId: account?.appId ?? "", uin: account?.uin ?? "", triggerSrc: "timer" },
    };
  };
}
