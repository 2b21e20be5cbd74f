import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const LAUNCHER = fileURLToPath(new URL("./launch-cli.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** tsx by path, so a command run from another directory (a project's) still finds it. */
const TSX = import.meta.resolve("tsx");

/**
 * How bin/quiver.js starts Node (`#!/usr/bin/env -S VAR=value … node --flag …`): tests start the
 * server with the same environment and flags.
 */
const SHEBANG = (readFileSync(new URL("../../bin/quiver.js", import.meta.url), "utf8").split("\n")[0] ?? "").split(/\s+/);
const SERVER_ENV: Record<string, string> = Object.fromEntries(
  SHEBANG.filter((word) => /^[A-Z_]+=/.test(word)).map((word) => [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]),
);
const NODE_FLAGS = SHEBANG.slice(SHEBANG.indexOf("node") + 1).filter((word) => word.startsWith("--"));

export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
}

/** Spawns `quiver <args>` from source in a child process, without proxies. */
export function spawnCli(args: readonly string[], as: { uid: number; gid: number } | undefined = undefined): CliProcess {
  return spawnNode(LAUNCHER, args, as);
}

/** Runs a TypeScript entry point as bin/quiver.js runs Quiver (its environment and Node flags), without proxies. */
export function spawnNode(script: string, args: readonly string[], as: { uid: number; gid: number } | undefined = undefined): CliProcess {
  const dropped = new Set(["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "NODE_TEST_CONTEXT"]);
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped.has(name))), ...SERVER_ENV };
  const child = spawn(process.execPath, [...NODE_FLAGS, "--import", "tsx", script, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], ...as });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

export interface CliRun {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a client command (`quiver deploy …`) to its end, from source and without proxies;
 * `input` is its stdin (else none), `env` entries replace (or with undefined, remove) the
 * test process's.
 */
export async function runCli(args: readonly string[], options: { input?: string; env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliRun> {
  const dropped = new Set(["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "NODE_TEST_CONTEXT"]);
  const base: Record<string, string | undefined> = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped.has(name))), ...SERVER_ENV, ...options.env };
  const env = Object.fromEntries(Object.entries(base).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const child = spawn(process.execPath, [...NODE_FLAGS, "--import", TSX, LAUNCHER, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin.end(options.input ?? "");
  const code = await new Promise<number | string>((resolve) => child.on("exit", (exit, signal) => resolve(exit ?? signal ?? "unknown")));
  return { code, stdout, stderr };
}

/** The command line that runs `quiver <args>` from source, for a shell (`script`, tmux). */
export function cliCommandLine(args: readonly string[]): string {
  const quote = (word: string): string => `'${word.replace(/'/g, "'\\''")}'`;
  return [process.execPath, ...NODE_FLAGS, "--import", TSX, LAUNCHER, ...args].map(quote).join(" ");
}

/** Resolves once `pattern` appears in the process's stdout (checked on every chunk); fails if it exits first or the time runs out. */
export function waitForOutput(cli: CliProcess, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      cli.child.stdout?.off("data", look);
      cli.child.off("exit", exited);
    };
    const look = (): void => {
      const match = pattern.exec(cli.stdout());
      if (!match) return;
      done();
      resolve(match);
    };
    const exited = (): void => {
      done();
      reject(new Error(`the process exited (${String(cli.child.exitCode ?? cli.child.signalCode)}) before printing ${String(pattern)}; stdout: ${cli.stdout()} stderr: ${cli.stderr()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms; stdout: ${cli.stdout()} stderr: ${cli.stderr()}`));
    }, timeoutMs);
    cli.child.stdout?.on("data", look);
    cli.child.on("exit", exited);
    if (cli.child.exitCode !== null || cli.child.signalCode !== null) exited();
    else look();
  });
}

/** Waits until the server prints its listening line and returns the URL it names. */
export async function waitForListening(cli: CliProcess, timeoutMs = 20_000): Promise<string> {
  const match = await waitForOutput(cli, /Quiver listening on (http:\/\/\S+)/, timeoutMs);
  return match[1] ?? "";
}
