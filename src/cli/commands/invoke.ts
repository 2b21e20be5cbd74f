/** `quiver invoke FUNCTION`: runs it with an event from a flag, a file or stdin; prints the result (and the log with --log). */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { connect, type GlobalOptions } from "../client/connect.js";
import { CliError, EXIT } from "../client/failure.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function eventOf(flags: { event?: string; eventFile?: string }): Promise<string> {
  if (flags.event !== undefined && flags.eventFile !== undefined) throw new CliError("give --event or --event-file, not both", EXIT.usage);
  let text: string;
  if (flags.event !== undefined) text = flags.event;
  else if (flags.eventFile !== undefined) {
    try {
      text = flags.eventFile === "-" ? await readStdin() : readFileSync(flags.eventFile, "utf8");
    } catch (error) {
      throw new CliError(`cannot read ${flags.eventFile}: ${(error as Error).message}`, EXIT.usage);
    }
  } else text = process.stdin.isTTY ? "{}" : await readStdin();
  if (text.trim() === "") text = "{}";
  try {
    JSON.parse(text);
  } catch {
    throw new CliError(`the event is not JSON: ${text.slice(0, 80)}`, EXIT.usage);
  }
  return text;
}

export function registerInvoke(program: Command, globals: () => GlobalOptions): void {
  program.command("invoke")
    .argument("<function>", "function name")
    .description("run the function once and print what it returned; exit 1 when it failed")
    .option("--qualifier <q>", "version or alias (default $LATEST)")
    .option("--event <json>", "the event")
    .option("--event-file <file>", "read the event from a file (- for stdin); without either, stdin when it is not a terminal")
    .option("--log", "print the invocation's log too (stderr; in --json output as `log`)")
    .addHelpText("after", "\nExamples:\n  quiver invoke hello --event '{\"name\":\"quiver\"}'\n  echo '{}' | quiver invoke hello --qualifier prod --log")
    .action(async (name: string, flags: { qualifier?: string; event?: string; eventFile?: string; log?: boolean }) => {
      const event = await eventOf(flags);
      const session = connect(globals());
      const outcome = await session.platform.invoke({ namespace: session.namespace, name }, flags.qualifier, event, flags.log === true);
      if (session.out.json) {
        session.out.result({ ...outcome, ...(flags.log ? {} : { log: undefined }) }, "");
      } else {
        if (flags.log && outcome.log) process.stderr.write(outcome.log.endsWith("\n") ? outcome.log : `${outcome.log}\n`);
        session.out.result(outcome, outcome.error ?? outcome.result);
      }
      if (outcome.error !== undefined) process.exitCode = EXIT.failed;
    });
}
