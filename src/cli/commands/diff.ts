/** `quiver diff FUNCTION V1 V2`: configuration and code differences between two versions. */
import type { Command } from "commander";
import { diffPackages, isEmptyDiff, readZip, type PackageDiff } from "../../code/package-diff.js";
import { connect, type GlobalOptions, type Session } from "../client/connect.js";
import { CliError, EXIT } from "../client/failure.js";
import type { FunctionName } from "../client/platform.js";

async function side(session: Session, fn: FunctionName, qualifier: string): Promise<{ label: string; config: Record<string, unknown>; files: Map<string, Buffer> }> {
  const info = await session.platform.getFunction(fn, qualifier);
  if (info === null) throw new CliError(`function ${fn.name} does not exist`, EXIT.api);
  const zip = await session.platform.downloadCode(fn, qualifier);
  const { runtime, handler, memoryMb, timeoutSec, description, environment } = info;
  return { label: qualifier, config: { runtime, handler, memoryMb, timeoutSec, description, environment }, files: await readZip(zip) };
}

export function describeDiff(d: PackageDiff, a: string, b: string): string {
  if (isEmptyDiff(d)) return `${a} and ${b} are the same`;
  const lines: string[] = [];
  for (const c of d.config) lines.push(`config ${c.key}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`);
  for (const name of d.added) lines.push(`+ ${name}`);
  for (const name of d.removed) lines.push(`- ${name}`);
  for (const c of d.changed) lines.push(`M ${c.name}${c.patch === null ? " (binary)" : ""}`);
  for (const c of d.changed) if (c.patch !== null) lines.push("", c.patch.trimEnd());
  return lines.join("\n");
}

export function registerDiff(program: Command, globals: () => GlobalOptions): void {
  program.command("diff").argument("<function>").argument("<v1>").argument("<v2>")
    .description("what changed between two versions ($LATEST included): configuration, files added, removed and changed, with a unified diff of text files; exit 1 when they differ")
    .addHelpText("after", "\nExamples:\n  quiver diff hello 1 2\n  quiver diff hello 3 '$LATEST' --json")
    .action(async (name: string, v1: string, v2: string) => {
      const session = connect(globals());
      const fn = { namespace: session.namespace, name };
      const [a, b] = await session.out.progress(`Downloading ${name} ${v1} and ${v2}`, () => Promise.all([side(session, fn, v1), side(session, fn, v2)]));
      const diff = diffPackages(a, b);
      session.out.result(diff, describeDiff(diff, v1, v2));
      if (!isEmptyDiff(diff)) process.exitCode = EXIT.failed;
    });
}
