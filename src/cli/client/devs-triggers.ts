/**
 * The `trigger` of a Serverless Devs `s.yaml` FunctionGraph function (the `fgs` component):
 * `{triggerTypeCode, status, eventData}`, one mapping as the component documents, or a list of
 * them. TIMER and APIG are read; OBS (which the component also has) and every other key are
 * refused by name, as for the rest of the file.
 */
import type { ApigSettings, TriggerSpec } from "./platform.js";
import { node, onlyKeys, optNumber, optString, refuse, type Node } from "./project-checks.js";

const TRIGGER_KEYS = ["triggerTypeCode", "status", "eventData"];
const TIMER_KEYS = ["name", "scheduleType", "schedule", "userEvent"];
/** The component's APIG keys, plus what the API needs that the component looks up itself (groupId) or fixes (path, method). */
const APIG_KEYS = ["name", "groupId", "groupName", "auth", "protocol", "timeout", "path", "method"];

export function devsTriggersOf(path: string, value: unknown, where: string): TriggerSpec[] {
  if (value === undefined || value === null) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.map((entry, i) => {
    const at = Array.isArray(value) ? `${where}[${i}]` : where;
    return devsTrigger(path, node(path, entry, at), at, i);
  });
}

function devsTrigger(path: string, t: Node, where: string, index: number): TriggerSpec {
  onlyKeys(path, t, TRIGGER_KEYS, `${where}.`);
  const type = optString(path, t, "triggerTypeCode", `${where}.`);
  const status = optString(path, t, "status", `${where}.`) ?? "ACTIVE";
  if (status !== "ACTIVE" && status !== "DISABLED") throw refuse(path, `${where}.status must be ACTIVE or DISABLED, not "${status}"`);
  const data = node(path, t["eventData"] ?? {}, `${where}.eventData`);
  const at = `${where}.eventData.`;
  if (type === "TIMER") {
    onlyKeys(path, data, TIMER_KEYS, at);
    const kind = optString(path, data, "scheduleType", at);
    const schedule = optString(path, data, "schedule", at);
    if (kind !== "Rate" && kind !== "Cron") throw refuse(path, `${at}scheduleType must be Rate or Cron`);
    if (schedule === undefined) throw refuse(path, `${at}schedule is required`);
    return {
      type: "timer", name: optString(path, data, "name", at) ?? `timer-${index + 1}`, schedule: { form: kind === "Rate" ? "fgs-rate" : "fgs-cron", text: schedule },
      enabled: status === "ACTIVE", argument: optString(path, data, "userEvent", at),
    };
  }
  if (type === "APIG") {
    onlyKeys(path, data, APIG_KEYS, at);
    // The component's default is IAM: calls signed with the account's keys (SCF's CAM).
    const auth = optString(path, data, "auth", at) ?? "IAM";
    if (auth !== "IAM" && auth !== "NONE") throw refuse(path, `${at}auth must be IAM or NONE (APP authentication needs API Gateway apps, which quiver deploy does not create)`);
    const protocolText = optString(path, data, "protocol", at);
    const protocol = protocolText === "HTTP" || protocolText === "HTTPS" ? protocolText : undefined;
    if (protocolText !== undefined && protocol === undefined) throw refuse(path, `${at}protocol must be HTTP or HTTPS`);
    const apig: ApigSettings = {
      groupId: optString(path, data, "groupId", at), groupName: optString(path, data, "groupName", at), protocol,
      timeoutMs: optNumber(path, data, "timeout", at), path: optString(path, data, "path", at), method: optString(path, data, "method", at),
    };
    return { type: "http", name: optString(path, data, "name", at) ?? `http-${index + 1}`, authType: auth === "IAM" ? "CAM" : "NONE", enabled: status === "ACTIVE", apig };
  }
  throw refuse(path, `${where}.triggerTypeCode ${type === undefined ? "is required" : `"${type}" is not supported`}: TIMER or APIG`);
}
