/**
 * Triggers: what calls a function besides an API invoke. One neutral model that both dialects
 * manage and show in their own shapes (a trigger created through one API is visible through the
 * other). A trigger is bound to a qualifier of its function: the head ($LATEST), a published
 * version, or an alias; an alias-bound trigger follows the alias when it is re-pointed.
 */

/** The trigger kinds Quiver serves: HTTP (this file's front door) and timers. */
export type TriggerKind = "http" | "timer";

/**
 * Which vendor surface an HTTP trigger was created as. It decides the event the function
 * receives, the handler conventions it runs with, and how each dialect shows the trigger:
 * - `function-url`: SCF `http` (a function URL);
 * - `api-gateway`: SCF `apigw` (a legacy API-gateway trigger);
 * - `apig`: FunctionGraph `APIG`.
 */
export type HttpTriggerFlavour = "function-url" | "api-gateway" | "apig";

/** Cross-origin settings of an HTTP trigger (SCF `CorsConfig`); null on a trigger means no CORS headers. */
export interface CorsSettings {
  /** Allowed origins; `*` allows any. */
  readonly origins: readonly string[];
  readonly methods: readonly string[];
  readonly headers: readonly string[];
  readonly exposeHeaders: readonly string[];
  /** Seconds a preflight answer may be cached; 0 = not sent. */
  readonly maxAgeSec: number;
  readonly credentials: boolean;
}

export interface HttpTriggerSettings {
  readonly kind: "http";
  readonly flavour: HttpTriggerFlavour;
  /** `none`: anyone may call; `signed`: the request must be signed with the owning account's keys. */
  readonly auth: "none" | "signed";
  /**
   * The request path the trigger serves, starting with `/`. FunctionGraph APIG triggers give it
   * (`event_data.path`, unique per project); SCF triggers serve every path under their URL ("/").
   */
  readonly path: string;
  /** `prefix`: `path` and everything under it (APIG `SWA`); `exact`: `path` only (`NORMAL`). */
  readonly matchMode: "prefix" | "exact";
  /** Upper-case HTTP methods served, or `["ANY"]`. */
  readonly methods: readonly string[];
  readonly cors: CorsSettings | null;
  /** The gateway's own limit on one call in ms (APIG `func_info.timeout`); null = the function's timeout. */
  readonly timeoutMs: number | null;
}

/**
 * When a timer fires, in neutral terms (each dialect translates its vendor's text to this):
 * - `cron`: a croner 7-field expression, `sec min hour day-of-month month day-of-week year`
 *   (day-of-week 0 = Sunday; `L`, `W`, `#` and `?` allowed), read in an IANA time zone;
 * - `every`: every `intervalMs`, counted from 1970-01-01T00:00:00Z (so `1h` fires on the hour).
 * `core/schedule.ts` computes fire times from it.
 */
export type Schedule =
  | { readonly kind: "cron"; readonly cron: string; readonly timezone: string }
  | { readonly kind: "every"; readonly intervalMs: number };

export interface TimerTriggerSettings {
  readonly kind: "timer";
  /** Which dialect's timer event and handler conventions a fire uses. */
  readonly origin: "scf" | "fgs";
  /** The schedule as the user wrote it, shown back by the dialects. */
  readonly expression: string;
  /** FunctionGraph `Cron` or `Rate`; SCF timers are always `cron`. */
  readonly scheduleKind: "cron" | "rate";
  /** What the scheduler computes fire times from. */
  readonly schedule: Schedule;
  /** Delivered in the timer event (SCF `Message` from `CustomArgument`, FunctionGraph `user_event`). */
  readonly payload: string;
}

export type TriggerSettings = HttpTriggerSettings | TimerTriggerSettings;

export interface TriggerRecord {
  /** 32 lower-case hex characters (FunctionGraph `trigger_id`); stable for the trigger's life. */
  readonly id: string;
  readonly functionId: string;
  /** Unique per function (SCF `TriggerName`, FunctionGraph `event_data.name`). */
  readonly name: string;
  /** `$LATEST`, a published version name, or an alias name. */
  readonly qualifier: string;
  readonly enabled: boolean;
  readonly description: string;
  readonly settings: TriggerSettings;
  /**
   * Vendor fields Quiver keeps and returns but does not interpret, by dialect (e.g.
   * `{ fgs: { group_id, env_id, … } }`, `{ scf: { service, release } }`).
   */
  readonly extras: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export function triggerKind(trigger: Pick<TriggerRecord, "settings">): TriggerKind {
  return trigger.settings.kind;
}
