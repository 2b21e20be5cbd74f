/** `quiver logs FUNCTION`: finished invocations with their logs; `--follow` keeps printing new ones. */
import { setTimeout as delay } from "node:timers/promises";
import type { Command } from "commander";
import { connect, type GlobalOptions, type Session } from "../client/connect.js";
import { CliError, EXIT } from "../client/failure.js";
import type { FunctionName, LogEntry } from "../client/platform.js";

/** `--since`: `90s`, `10m`, `2h`, `1d`, or a time Date can read. SCF windows are at most a day. */
export function sinceMs(value: string, now: number): number {
  const relative = /^(\d+)([smhd])$/.exec(value);
  if (relative) return now - Number(relative[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "s" | "m" | "h" | "d"];
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new CliError(`--since takes 90s, 10m, 2h, 1d or a date, not "${value}"`, EXIT.usage);
  return at;
}

function show(session: Session, entry: LogEntry): void {
  if (session.out.json) {
    process.stdout.write(`${JSON.stringify(entry)}\n`);
    return;
  }
  // FunctionGraph's LTS tells no outcome or duration: those parts are left out rather than guessed.
  const outcome = entry.retCode === null ? [] : [entry.retCode === 0 ? "ok" : `failed (${entry.retCode})`];
  const duration = entry.durationMs === null ? [] : [`${entry.durationMs} ms`];
  const header = `── ${[entry.startTime, entry.requestId, ...outcome, ...duration].join("  ")}`;
  process.stdout.write(`${header}\n${entry.log.endsWith("\n") || entry.log === "" ? entry.log : `${entry.log}\n`}`);
}

const POLL_MS = 1000;

/** Prints invocations as they finish, until SIGINT/SIGTERM. Each one once, oldest first. */
export async function followLogs(session: Session, fn: FunctionName, qualifier: string | undefined, from: number): Promise<void> {
  const seen = new Set<string>();
  const stopped = new AbortController();
  const stop = (): void => stopped.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  session.out.note(`Following the logs of ${fn.name} (Ctrl-C to stop)`);
  // A log shows once its invocation finished: look back a minute each time, since a long
  // invocation that started before the last poll finishes after it.
  let since = from;
  try {
    while (!stopped.signal.aborted) {
      const now = Date.now();
      const entries = await session.platform.logs(fn, qualifier, since - 1000, now + 1000);
      for (const entry of entries) {
        if (seen.has(entry.requestId)) continue;
        seen.add(entry.requestId);
        show(session, entry);
      }
      since = Math.max(from, now - 60_000);
      await delay(POLL_MS, undefined, { signal: stopped.signal }).catch(() => undefined);
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

export function registerLogs(program: Command, globals: () => GlobalOptions): void {
  program.command("logs")
    .argument("<function>", "function name")
    .description("the function's finished invocations and their logs (SCF GetFunctionLogs; FunctionGraph: its LTS log stream)")
    .option("--qualifier <q>", "only this version or alias")
    .option("--since <when>", "from this long ago (90s, 10m, 2h, 1d) or this time", "1h")
    .option("--follow", "keep printing invocations as they finish")
    .addHelpText("after", "\nExamples:\n  quiver logs hello --since 10m\n  quiver logs hello --qualifier prod --follow")
    .action(async (name: string, flags: { qualifier?: string; since: string; follow?: boolean }) => {
      const session = connect(globals());
      const fn = { namespace: session.namespace, name };
      const now = Date.now();
      const from = sinceMs(flags.since, now);
      if (flags.follow) return followLogs(session, fn, flags.qualifier, from);
      const entries = await session.platform.logs(fn, flags.qualifier, from, now + 1000);
      if (session.out.json) session.out.result(entries, "");
      else if (entries.length === 0) session.out.result([], `No invocations of ${name} since ${new Date(from).toISOString()}`);
      else for (const entry of entries) show(session, entry);
    });
}
