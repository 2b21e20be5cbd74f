/** Waits on what the API shows (a function's status), polling: the only way a client can observe it. */
import { setTimeout as delay } from "node:timers/promises";
import { CliError, EXIT } from "./failure.js";
import type { FunctionInfo, FunctionName, Platform } from "./platform.js";

const FAILED = /Failed$/;

export async function waitActive(platform: Platform, fn: FunctionName, timeoutMs = 120_000): Promise<FunctionInfo> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    const info = await platform.getFunction(fn);
    if (info === null) throw new CliError(`function ${fn.name} disappeared while waiting for it`, EXIT.api);
    if (info.status === "Active") return info;
    if (FAILED.test(info.status)) throw new CliError(`function ${fn.name} is ${info.status}`, EXIT.api);
    if (Date.now() > deadline) throw new CliError(`function ${fn.name} is still ${info.status} after ${Math.round(timeoutMs / 1000)} s`, EXIT.timeout);
    await delay(wait);
  }
}
