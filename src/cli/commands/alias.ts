/** `quiver alias set|shift|promote|rollback|list`: where an alias's traffic goes. */
import type { Command } from "commander";
import { connect, type GlobalOptions, type Session } from "../client/connect.js";
import { CliError, EXIT } from "../client/failure.js";
import type { AliasInfo, FunctionName } from "../client/platform.js";
import { table } from "../client/output.js";

function percent(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 100) throw new CliError(`--weight is a percentage from 0 to 100, not "${value}"`, EXIT.usage);
  return Number(value);
}

async function requireAlias(session: Session, fn: FunctionName, name: string): Promise<AliasInfo> {
  const alias = await session.platform.getAlias(fn, name);
  if (alias === null) throw new CliError(`alias ${name} of ${fn.name} does not exist`, EXIT.api, { hint: `create it with \`quiver alias set ${fn.name} ${name} VERSION\`` });
  return alias;
}

function describe(alias: AliasInfo): string {
  return `${alias.name} → ${alias.version}${alias.additional ? ` (${100 - alias.additional.weight} %) + ${alias.additional.version} (${alias.additional.weight} %)` : " (100 %)"}`;
}

async function put(session: Session, fn: FunctionName, alias: AliasInfo): Promise<void> {
  await session.out.progress(`Alias ${describe(alias)}`, () => session.platform.putAlias(fn, alias));
  session.out.result(alias, describe(alias));
}

export function registerAlias(program: Command, globals: () => GlobalOptions): void {
  const alias = program.command("alias").description("point aliases at versions, shift traffic, promote or roll back a canary");
  const fnOf = (session: Session, name: string): FunctionName => ({ namespace: session.namespace, name });

  alias.command("set").argument("<function>").argument("<alias>").argument("<version>")
    .description("create the alias or point all its traffic at VERSION")
    .addHelpText("after", "\nExample:\n  quiver alias set hello prod 3")
    .action(async (name: string, aliasName: string, version: string) => {
      const session = connect(globals());
      await put(session, fnOf(session, name), { name: aliasName, version });
    });

  alias.command("shift").argument("<function>").argument("<alias>").argument("<version>")
    .description("send --weight percent of the alias's traffic to VERSION (a canary); the rest stays on its current version")
    .requiredOption("--weight <percent>", "share of the traffic for VERSION, 0-100 (100 points the whole alias at it)")
    .addHelpText("after", "\nExample:\n  quiver alias shift hello prod 4 --weight 10")
    .action(async (name: string, aliasName: string, version: string, flags: { weight: string }) => {
      const session = connect(globals());
      const fn = fnOf(session, name);
      const weight = percent(flags.weight);
      const current = await requireAlias(session, fn, aliasName);
      const next = weight === 100 || current.version === version ? { name: aliasName, version } : { name: aliasName, version: current.version, additional: { version, weight } };
      await put(session, fn, next);
    });

  alias.command("promote").argument("<function>").argument("<alias>")
    .description("make the canary version the alias's only version")
    .addHelpText("after", "\nExample:\n  quiver alias promote hello prod")
    .action(async (name: string, aliasName: string) => {
      const session = connect(globals());
      const fn = fnOf(session, name);
      const current = await requireAlias(session, fn, aliasName);
      if (!current.additional) throw new CliError(`alias ${aliasName} has no canary to promote (${describe(current)})`, EXIT.api);
      await put(session, fn, { name: aliasName, version: current.additional.version });
    });

  alias.command("rollback").argument("<function>").argument("<alias>")
    .description("drop the alias's canary; without one, point it at the version published before its current one")
    .option("--to <version>", "point the alias at this version instead")
    .addHelpText("after", "\nExamples:\n  quiver alias rollback hello prod\n  quiver alias rollback hello prod --to 2")
    .action(async (name: string, aliasName: string, flags: { to?: string }) => {
      const session = connect(globals());
      const fn = fnOf(session, name);
      const current = await requireAlias(session, fn, aliasName);
      let version = flags.to ?? current.version;
      if (flags.to === undefined && !current.additional) {
        const numbers = (await session.platform.listVersions(fn)).map((v) => v.version).filter((v) => /^\d+$/.test(v)).map(Number).sort((a, b) => a - b);
        const previous = numbers.filter((n) => n < Number(current.version)).pop();
        if (previous === undefined) throw new CliError(`alias ${aliasName} is on version ${current.version}; there is no earlier version to roll back to`, EXIT.api);
        version = String(previous);
      }
      await put(session, fn, { name: aliasName, version });
    });

  alias.command("list").argument("<function>")
    .description("the function's aliases and where their traffic goes")
    .addHelpText("after", "\nExample:\n  quiver alias list hello --json")
    .action(async (name: string) => {
      const session = connect(globals());
      const aliases = await session.platform.listAliases(fnOf(session, name));
      session.out.result(aliases, aliases.length === 0 ? `${name} has no aliases` : table([["ALIAS", "VERSION", "CANARY"], ...aliases.map((a) => [a.name, a.version, a.additional ? `${a.additional.version} at ${a.additional.weight} %` : "-"])]));
    });
}
