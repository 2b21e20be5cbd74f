import type { AccountRegistry } from "../accounts/accounts.js";
import type { TimerEvents } from "../core/ports.js";
import { FGS_DIALECT } from "../dialects/fgs/plugin.js";
import { fgsTimerFire } from "../dialects/fgs/timer-trigger.js";
import { APIG_TRIGGER_DOOR, SCF_TRIGGER_DOOR } from "../dialects/http-door/plugin.js";
import { SCF_DIALECT } from "../dialects/scf/plugin.js";
import type { Dialect } from "../dialects/shared/dialect.js";
import { scfTimerFire } from "../dialects/scf/timer-trigger.js";

/** The HTTP trigger URLs of each vendor: served with the APIs, and alone on `--http-trigger-port`. */
export const TRIGGER_DOORS: readonly Dialect[] = [SCF_TRIGGER_DOOR, APIG_TRIGGER_DOOR];

/** Every vendor API Quiver speaks. A new dialect is added here, and nowhere else in the server. */
export const DIALECTS: readonly Dialect[] = [SCF_DIALECT, FGS_DIALECT, ...TRIGGER_DOORS];

/** The dialect served at `/`: it answers whatever no other dialect claims. */
export const ROOT_DIALECT: Dialect = rootOf(DIALECTS);

function rootOf(dialects: readonly Dialect[]): Dialect {
  const roots = dialects.filter((dialect) => dialect.prefixes.length === 0);
  const [root] = roots;
  if (root === undefined || roots.length > 1) throw new Error("exactly one dialect must be served at / (declare no prefixes)");
  return root;
}

/** Every action name any dialect serves: what `rateLimits.overrides` may name. */
export function allActionNames(): ReadonlySet<string> {
  return new Set(DIALECTS.flatMap((dialect) => [...dialect.actionNames]));
}

/** A timer's fire, built by the dialect that created the timer (`settings.origin`): its event and conventions. */
export function timerEvents(accounts: AccountRegistry): TimerEvents {
  const byOrigin = { scf: scfTimerFire(accounts), fgs: fgsTimerFire(accounts) };
  return (trigger, fn, fireTimeMs) => {
    const origin = trigger.settings.kind === "timer" ? trigger.settings.origin : "scf";
    return byOrigin[origin](trigger, fn, fireTimeMs);
  };
}
