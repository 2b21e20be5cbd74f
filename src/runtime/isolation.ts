/**
 * OS-level isolation of instances. As root: children run as `nobody`, each in its own cgroup v1
 * `memory` and `pids` group. Otherwise (or with `isolation: "none"`): plain children, and memory
 * is enforced by polling RSS (see `RssWatch`). The degrade is logged once, at engine start.
 */
import { chown, mkdir, readdir, readFile, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { CGROUP_ROOTS, destroyCgroup, MEMORY_ROOT, PIDS_ROOT } from "./cgroups.js";
import type { EngineLogger } from "./options.js";


export interface Isolation {
  /** Set when children drop privileges. */
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  /** True when per-instance cgroups are available; false means RSS polling. */
  readonly cgroups: boolean;
}

export async function detectIsolation(mode: "auto" | "none", logger: EngineLogger): Promise<Isolation> {
  const none: Isolation = { uid: undefined, gid: undefined, cgroups: false };
  if (mode === "none") return none;
  if (process.getuid?.() !== 0) {
    logger.warn({ isolation: "degraded" }, "runtime: not root; children run as this user, memory enforced by RSS polling");
    return none;
  }
  const user = await lookupNobody();
  try {
    await mkdir(MEMORY_ROOT, { recursive: true });
    await mkdir(PIDS_ROOT, { recursive: true });
    return { ...user, cgroups: true };
  } catch (err) {
    logger.warn({ isolation: "degraded", err: String(err) }, "runtime: cgroups v1 memory/pids not writable; memory enforced by RSS polling");
    return { ...user, cgroups: false };
  }
}

async function lookupNobody(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile("/etc/passwd", "utf8").catch(() => "");
  const line = passwd.split("\n").find((l) => l.startsWith("nobody:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  return { uid: Number(uid ?? 65534), gid: Number(gid ?? 65534) };
}

/** True when every ancestor directory is searchable by "others" and the file is readable/executable. */
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

/** Where an engine's instances live: temp dirs under `instancesDir`, cgroups in `group`. */
export interface SandboxPlace {
  readonly instancesDir: string;
  /** The engine's cgroup group under `quiver/` in each controller. */
  readonly group: string;
}

/** Per-instance resources: a private writable temp dir and, when available, cgroups. */
export class Sandbox {
  readonly tmpDir: string;
  readonly #memDir: string;
  readonly #pidsDir: string;
  readonly #iso: Isolation;
  #oom: Promise<boolean> | null = null;

  private constructor(id: string, place: SandboxPlace, iso: Isolation) {
    this.tmpDir = join(place.instancesDir, id);
    this.#memDir = join(MEMORY_ROOT, place.group, id);
    this.#pidsDir = join(PIDS_ROOT, place.group, id);
    this.#iso = iso;
  }

  static async create(id: string, place: SandboxPlace, iso: Isolation, pidsMax: number): Promise<Sandbox> {
    const box = new Sandbox(id, place, iso);
    await mkdir(box.tmpDir, { mode: 0o700 });
    if (iso.uid !== undefined && iso.gid !== undefined) await chown(box.tmpDir, iso.uid, iso.gid);
    if (iso.cgroups) {
      await mkdir(box.#memDir, { recursive: true });
      await mkdir(box.#pidsDir, { recursive: true });
      await writeFile(join(box.#pidsDir, "pids.max"), String(pidsMax));
    }
    return box;
  }

  /** Moves the process into the instance's cgroups (before any user code runs in it). */
  async adopt(pid: number): Promise<void> {
    if (!this.#iso.cgroups) return;
    await writeFile(join(this.#memDir, "cgroup.procs"), String(pid));
    await writeFile(join(this.#pidsDir, "cgroup.procs"), String(pid));
  }

  async setMemoryLimit(bytes: number): Promise<void> {
    if (!this.#iso.cgroups) return;
    await writeFile(join(this.#memDir, "memory.limit_in_bytes"), String(bytes));
  }

  /**
   * Whether the kernel OOM-killed something in this group (read only after a death). Read once
   * and remembered: `destroy()` reads it before removing the group, so a caller that asks after
   * the (concurrent) teardown still gets the answer instead of "no" from a missing file.
   */
  oomKilled(): Promise<boolean> {
    if (!this.#iso.cgroups) return Promise.resolve(false);
    this.#oom ??= this.#readOom();
    return this.#oom;
  }

  async #readOom(): Promise<boolean> {
    const text = await readFile(join(this.#memDir, "memory.oom_control"), "utf8").catch(() => "");
    const kills = /oom_kill (\d+)/.exec(text)?.[1];
    if (kills !== undefined) return Number(kills) > 0;
    const failcnt = await readFile(join(this.#memDir, "memory.failcnt"), "utf8").catch(() => "0");
    return Number(failcnt) > 0;
  }

  /**
   * Removes the temp dir and cgroups; call after the main process has exited. Anything the
   * function started that still runs in the instance's cgroup (a detached child) is killed
   * first: no process of a function outlives its instance.
   */
  async destroy(): Promise<void> {
    if (this.#iso.cgroups) {
      await this.oomKilled();
      await destroyCgroup(this.#pidsDir);
      await destroyCgroup(this.#memDir);
    }
    await rm(this.tmpDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** RSS of a process in bytes via /proc (degraded mode only). */
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
