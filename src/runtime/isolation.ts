/**
 * How far instances can be isolated on this host, decided once at engine start.
 *
 * - `sandbox` (root, cgroup v1, bubblewrap, setpriv): every instance in its own sandbox with
 *   its own host uid, namespaces and file system (see `bwrap.ts`, `sandbox.ts`).
 * - `user` (root without bubblewrap): every instance runs as `nobody` in its own cgroups, in the
 *   host's namespaces. Tenants are NOT isolated from each other; a warning says so at start.
 * - `none` (not root, or `isolation: "none"`): plain children of Quiver's own user; memory is
 *   enforced by polling RSS.
 *
 * `isolation: "strict"` accepts only `sandbox`: anything less refuses to start.
 */
import { execFile } from "node:child_process";
import { access, constants, readdir, readFile, rmdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { CGROUP_ROOTS, prepareRoots, type FreezerKind } from "./cgroups.js";
import type { SandboxTools } from "./bwrap.js";
import type { EgressTools } from "./egress.js";
import type { EngineLogger } from "./options.js";

const run = promisify(execFile);

export type IsolationMode = "auto" | "strict" | "none";
export type IsolationLevel = "sandbox" | "user" | "none";

export interface Isolation {
  readonly level: IsolationLevel;
  /** `user` level: the unprivileged user every child runs as. */
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  /** Per-instance memory and pids cgroups; without them memory is enforced by RSS polling. */
  readonly cgroups: boolean;
  /** Per-instance freezer cgroups (which kind): idle instances are frozen. */
  readonly freezer: FreezerKind | null;
  readonly tools: SandboxTools | null;
  /** Tools for public network (`sandbox` level only); null: functions get loopback only. */
  readonly egressTools: EgressTools | null;
}

export class IsolationUnavailableError extends Error {
  override readonly name = "IsolationUnavailableError";
}

const NONE: Isolation = { level: "none", uid: undefined, gid: undefined, cgroups: false, freezer: null, tools: null, egressTools: null };

export async function detectIsolation(mode: IsolationMode, logger: EngineLogger, probeUid: number): Promise<Isolation> {
  if (mode === "none") return NONE;
  const refuse = (why: string): never => {
    throw new IsolationUnavailableError(`--isolation strict: ${why}; refusing to start without a sandbox per instance`);
  };
  if (process.getuid?.() !== 0) {
    if (mode === "strict") refuse("Quiver is not running as root");
    logger.warn({ isolation: "none" }, "runtime: not root, so function instances are NOT isolated: they run as Quiver's own user, in its namespaces, and can read its data; memory is enforced by RSS polling");
    return NONE;
  }
  const roots = await prepareRoots();
  const nobody = await lookupNobody();
  const tools = roots.usable ? await findTools() : null;
  const problem = !roots.usable ? "cgroup v1 memory and pids are not writable" : tools === null ? "bubblewrap (bwrap) or setpriv is not installed" : await probeSandbox(tools, probeUid);
  if (problem === null && tools !== null) return { level: "sandbox", ...nobody, cgroups: true, freezer: roots.freezer, tools, egressTools: await findEgressTools(tools) };
  if (mode === "strict") refuse(problem ?? "no sandbox");
  logger.warn(
    { isolation: "user", reason: problem },
    `runtime: ${problem ?? "no sandbox"}, so function instances are NOT isolated from each other: they run as nobody in the host's namespaces. Install bubblewrap (Debian: apt-get install bubblewrap), or start with --isolation strict to refuse to run without it`,
  );
  return { level: "user", ...nobody, cgroups: roots.usable, freezer: null, tools: null, egressTools: null };
}

async function findTools(): Promise<SandboxTools | null> {
  const [sh, setpriv, bwrap] = await Promise.all(["sh", "setpriv", "bwrap"].map(findExecutable));
  return sh && setpriv && bwrap ? { sh, setpriv, bwrap } : null;
}

async function findEgressTools(base: SandboxTools): Promise<EgressTools | null> {
  const [unshare, mount, mknod, slirp4netns, nft] = await Promise.all(["unshare", "mount", "mknod", "slirp4netns", "nft"].map(findExecutable));
  return unshare && mount && mknod && slirp4netns && nft ? { sh: base.sh, setpriv: base.setpriv, unshare, mount, mknod, slirp4netns, nft } : null;
}

const SEARCH_PATH = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"];

async function findExecutable(name: string): Promise<string | null> {
  for (const dir of SEARCH_PATH) {
    const path = join(dir, name);
    if (await access(path, constants.X_OK).then(() => true, () => false)) return path;
  }
  return null;
}

/** Starts one empty sandbox the way instances are started; the reason it failed, or null. */
async function probeSandbox(tools: SandboxTools, uid: number): Promise<string | null> {
  const args = ["--reuid", String(uid), "--regid", String(uid), "--clear-groups", "--no-new-privs", tools.bwrap, "--unshare-all", "--die-with-parent", "--uid", "1000", "--gid", "1000", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dir", "/dev", "--dev-bind", "/dev/null", "/dev/null", "/usr/bin/true"];
  try {
    await run(tools.setpriv, args, { timeout: 10_000, env: { PATH: "/usr/bin:/bin" } });
    return null;
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? "").trim();
    return `a test sandbox failed to start (${stderr || String(err)}); are unprivileged user namespaces disabled?`;
  }
}

async function lookupNobody(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile("/etc/passwd", "utf8").catch(() => "");
  const line = passwd.split("\n").find((l) => l.startsWith("nobody:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  return { uid: Number(uid ?? 65534), gid: Number(gid ?? 65534) };
}

/** True when every ancestor directory is searchable by "others" and the file has `bit` for others. */
export async function othersCanReach(path: string, bit: number): Promise<boolean> {
  try {
    if (((await stat(path)).mode & bit) === 0) return false;
    for (let d = dirname(path); ; d = dirname(d)) {
      if (((await stat(d)).mode & 0o001) === 0) return false;
      if (d === dirname(d)) return true;
    }
  } catch {
    return false;
  }
}

/** RSS of a process in bytes via /proc (level `none` only). */
export async function readRss(pid: number): Promise<number> {
  const statm = await readFile(`/proc/${pid}/statm`, "utf8");
  const pages = Number(statm.split(" ")[1] ?? 0);
  return pages * 4096;
}

/** Instance cgroups older than this with no process left are leftovers of a killed server. */
const STALE_CGROUP_MS = 10 * 60_000;
/** Instance cgroup names of the old flat layout: `<launcher prefix>-<sequence>`. */
const LEGACY_INSTANCE = /^[0-9a-f]{6}-\d+$/;

/**
 * Removes instance cgroups that Quiver versions before per-engine groups left directly under
 * `quiver/`. Several engines share those roots, so only cgroups that are empty (rmdir refuses
 * others) and old enough that no live engine can be about to use them are removed; an engine
 * group's own directory is never empty while it has instances. Best effort.
 */
export async function sweepStaleCgroups(now = Date.now()): Promise<number> {
  let removed = 0;
  for (const root of CGROUP_ROOTS) {
    const names = await readdir(root).catch(() => [] as string[]);
    for (const name of names.filter((n) => LEGACY_INSTANCE.test(n))) {
      const dir = join(root, name);
      const info = await stat(dir).catch(() => null);
      if (!info?.isDirectory() || now - info.mtimeMs < STALE_CGROUP_MS) continue;
      if (await rmdir(dir).then(() => true, () => false)) removed += 1;
    }
  }
  return removed;
}
