import { existsSync, statSync } from "node:fs";
/** `quiver deploy [DIR]` and `quiver dev DIR`: create or update a function from a directory. */
import { basename, resolve } from "node:path";
import type { Command } from "commander";
import { connect, type GlobalOptions, type Session } from "../client/connect.js";
import { CliError, EXIT } from "../client/failure.js";
import { packageDirectory } from "../client/packaging.js";
import type { CodeInput, FunctionName, FunctionSettings } from "../client/platform.js";
import { readProject, type Project } from "../client/project.js";
import { waitActive } from "../client/wait.js";
import { followLogs } from "./logs.js";

export interface DeployFlags {
  readonly name?: string;
  readonly runtime?: string;
  readonly handler?: string;
  readonly memory?: string;
  readonly timeout?: string;
  readonly description?: string;
  readonly env?: string[];
  readonly publish?: boolean;
  readonly alias?: string;
  readonly weight?: string;
  readonly versionDescription?: string;
}

const DEFAULTS = {
  scf: { runtime: "Nodejs18.15", handler: "index.main_handler" },
  fgs: { runtime: "Node.js18.15", handler: "index.handler" },
} as const;

export function addFunctionFlags(command: Command): Command {
  return command
    .option("--name <name>", "function name (default: the project file's, else the directory's name)")
    .option("--runtime <runtime>", "runtime, e.g. Nodejs18.15 / Python3.9 (FunctionGraph: Node.js18.15)")
    .option("--handler <handler>", "handler, e.g. index.main_handler")
    .option("--memory <mb>", "memory in MB")
    .option("--timeout <seconds>", "timeout in seconds")
    .option("--description <text>", "function description")
    .option("--env <KEY=VALUE>", "environment variable (repeatable)", collect, []);
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function requireDirectory(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${dir} is not a directory`, EXIT.usage);
}

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliError(`${flag} must be a whole number, not "${value}"`, EXIT.usage);
  return Number(value);
}

function envOf(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (pairs === undefined || pairs.length === 0) return undefined;
  return Object.fromEntries(pairs.map((pair) => {
    const at = pair.indexOf("=");
    if (at <= 0) throw new CliError(`--env takes KEY=VALUE, not "${pair}"`, EXIT.usage);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }));
}

/** The project file's settings, overridden by flags, over the dialect's defaults. */
export function settingsOf(session: Session, project: Project, flags: DeployFlags): FunctionSettings {
  const defaults = DEFAULTS[session.platform.dialect];
  const env = envOf(flags.env);
  return {
    runtime: flags.runtime ?? project.settings.runtime ?? defaults.runtime,
    handler: flags.handler ?? project.settings.handler ?? defaults.handler,
    memoryMb: wholeNumber("--memory", flags.memory) ?? project.settings.memoryMb,
    timeoutSec: wholeNumber("--timeout", flags.timeout) ?? project.settings.timeoutSec,
    description: flags.description ?? project.settings.description,
    environment: env === undefined ? project.settings.environment : { ...project.settings.environment, ...env },
  };
}

export interface Deployed {
  readonly function: string;
  readonly namespace: string;
  readonly created: boolean;
  readonly status: string;
  readonly codeSize: number;
  readonly hotReloadDir?: string;
  readonly files?: number;
  readonly triggers: string[];
  readonly version?: string;
  readonly alias?: { name: string; version: string; additional?: { version: string; weight: number } };
}

/** Creates or updates the function with `code`, waits until it is Active, applies the project's triggers. */
export async function deployFunction(session: Session, fn: FunctionName, settings: FunctionSettings, code: CodeInput, project: Project): Promise<Deployed> {
  const { platform, out } = session;
  for (const trigger of project.triggers) platform.checkTrigger(trigger);
  const existing = await platform.getFunction(fn);
  const what = "zip" in code ? `Uploading ${(code.zip.length / 1024).toFixed(1)} KB to ${fn.name}` : `Pointing ${fn.name} at ${code.hotReloadDir}`;
  await out.progress(what, async () => {
    if (existing === null) await platform.createFunction(fn, settings, code);
    else {
      await platform.updateCode(fn, code, settings.handler);
      await waitActive(platform, fn);
      await platform.updateSettings(fn, settings);
    }
  });
  const info = await out.progress(`Waiting for ${fn.name} to be Active`, () => waitActive(platform, fn));
  const triggers: string[] = [];
  for (const trigger of project.triggers) {
    await out.progress(`Trigger ${trigger.name} (${trigger.type})`, () => platform.putTrigger(fn, trigger));
    triggers.push(trigger.name);
  }
  return {
    function: fn.name, namespace: fn.namespace, created: existing === null, status: info.status, codeSize: info.codeSize, triggers,
    ...("hotReloadDir" in code ? { hotReloadDir: code.hotReloadDir } : {}),
  };
}

export function registerDeploy(program: Command, globals: () => GlobalOptions): void {
  addFunctionFlags(program.command("deploy").argument("[dir]", "project directory", "."))
    .description("zip a directory (honouring .quiverignore and serverless.yml / s.yaml), create or update the function, wait until it is Active")
    .option("--publish", "publish a version after the deploy")
    .option("--version-description <text>", "description of the published version")
    .option("--alias <name>", "point this alias at the published version (implies --publish)")
    .option("--weight <percent>", "with --alias: send only this share of the alias's traffic to the new version (a canary)")
    .addHelpText("after", "\nExamples:\n  quiver deploy ./hello --endpoint http://127.0.0.1:9000\n  quiver deploy --publish --alias prod --weight 10     # 10 % canary on prod\n  quiver deploy --dialect fgs --json")
    .action(async (dir: string, flags: DeployFlags) => {
      requireDirectory(dir);
      const project = readProject(dir);
      const session = connect(globals(), project.region);
      const fn = { namespace: globals().namespace ?? project.namespace ?? "default", name: flags.name ?? project.name ?? basename(resolve(dir)) };
      const settings = settingsOf(session, project, flags);
      const weight = wholeNumber("--weight", flags.weight);
      if (weight !== undefined && (flags.alias === undefined || weight > 100)) throw new CliError("--weight needs --alias and is a percentage from 0 to 100", EXIT.usage);
      const { zip, files } = await session.out.progress(`Packaging ${project.src}`, () => packageDirectory(project.src, project.exclude));
      const deployed = { ...(await deployFunction(session, fn, settings, { zip }, project)), files: files.length };
      let result: Deployed = deployed;
      if (flags.publish || flags.alias !== undefined) {
        const version = await session.out.progress(`Publishing ${fn.name}`, () => session.platform.publish(fn, flags.versionDescription ?? ""));
        result = { ...result, version };
        if (flags.alias !== undefined) {
          const alias = await shiftAlias(session, fn, flags.alias, version, weight);
          result = { ...result, alias };
        }
      }
      session.out.result(result, describeDeploy(result));
    });
}

/** Points `alias` at `version`, or with a weight below 100 sends that share to it beside the current version. */
export async function shiftAlias(session: Session, fn: FunctionName, alias: string, version: string, weight: number | undefined): Promise<{ name: string; version: string; additional?: { version: string; weight: number } }> {
  const current = await session.platform.getAlias(fn, alias);
  const next = current !== null && weight !== undefined && weight < 100 && current.version !== version
    ? { name: alias, version: current.version, additional: { version, weight } }
    : { name: alias, version };
  await session.out.progress(`Alias ${alias} → ${next.additional ? `${next.version} + ${version} at ${weight} %` : version}`, () => session.platform.putAlias(fn, next));
  return next;
}

function describeDeploy(d: Deployed): string {
  const lines = [`${d.created ? "Created" : "Updated"} ${d.namespace}/${d.function}: ${d.status}${d.hotReloadDir ? `, hot reload from ${d.hotReloadDir}` : `, ${d.files ?? 0} files, ${d.codeSize} bytes`}`];
  if (d.triggers.length > 0) lines.push(`Triggers: ${d.triggers.join(", ")}`);
  if (d.version) lines.push(`Published version ${d.version}`);
  if (d.alias) lines.push(`Alias ${d.alias.name} → ${d.alias.version}${d.alias.additional ? ` (+ ${d.alias.additional.version} at ${d.alias.additional.weight} %)` : ""}`);
  return lines.join("\n");
}

export function registerDev(program: Command, globals: () => GlobalOptions): void {
  addFunctionFlags(program.command("dev").argument("<dir>", "the function's directory, under the server's --hot-reload-root"))
    .description("hot reload: point the function's $LATEST at DIR (the server runs its current files), then follow its logs")
    .option("--no-follow", "return after the deploy instead of following the logs")
    .addHelpText("after", "\nThe server must run with --hot-reload-root covering DIR, and see DIR at the same path.\n\nExamples:\n  quiver serve --hot-reload-root ~/code &\n  quiver dev ~/code/hello --endpoint http://127.0.0.1:9000")
    .action(async (dir: string, flags: DeployFlags & { follow: boolean }) => {
      requireDirectory(dir);
      const project = readProject(dir);
      const session = connect(globals(), project.region);
      const fn = { namespace: globals().namespace ?? project.namespace ?? "default", name: flags.name ?? project.name ?? basename(resolve(dir)) };
      const deployed = await deployFunction(session, fn, settingsOf(session, project, flags), { hotReloadDir: resolve(project.src) }, project);
      session.out.result(deployed, describeDeploy(deployed));
      if (flags.follow) await followLogs(session, fn, undefined, Date.now());
    });
}
