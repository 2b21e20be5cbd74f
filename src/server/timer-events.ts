import type { AccountRegistry } from "../accounts/accounts.js";
import type { TimerEvents, TimerFire } from "../core/ports.js";

/**
 * Stand-in for the dialects' timer events, until they provide theirs: the documented SCF and
 * FunctionGraph timer events and the context values their invokes use.
 */
export function interimTimerEvents(accounts: AccountRegistry): TimerEvents {
  return (trigger, fn, fireTimeMs): TimerFire => {
    const account = accounts.accounts.find((candidate) => candidate.name === fn.scope.accountId);
    const payload = trigger.settings.kind === "timer" ? trigger.settings.payload : "";
    const time = new Date(fireTimeMs).toISOString().replace(/\.\d{3}Z$/, "Z");
    if (trigger.settings.kind === "timer" && trigger.settings.origin === "fgs") {
      return {
        event: JSON.stringify({ version: "v1.0", time, trigger_type: "TIMER", trigger_name: trigger.name, user_event: payload }),
        convention: "fgs",
        contextValues: { projectId: account?.huawei?.projectId ?? "", package: fn.namespace, alias: "" },
      };
    }
    return {
      event: JSON.stringify({ Type: "Timer", TriggerName: trigger.name, Time: time, Message: payload }),
      convention: "scf",
      contextValues: { appId: account?.appId ?? "", uin: account?.uin ?? "" },
    };
  };
}
