/**
 * cgroups of one instance: v1 `memory` (its limit, OOM detection) and `pids` (a fork bomb cap,
 * and the list of every process it started), and a freezer (an idle instance is frozen): the
 * cgroup v2 freezer of the unified hierarchy where the host mounts one next to v1 (Debian's
 * hybrid layout), else the v1 `freezer` controller. Thawing through v2 took 0.3 ms here,
 * through v1 2 ms, on the path of every invocation of an instance that sat idle. Each engine
 * keeps its instances under `quiver/<group>/<id>` in every hierarchy.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

const CGROUP_FS = "/sys/fs/cgroup";
export const MEMORY_ROOT = `${CGROUP_FS}/memory/quiver`;
export const PIDS_ROOT = `${CGROUP_FS}/pids/quiver`;
export const FREEZER_ROOT = `${CGROUP_FS}/freezer/quiver`;
export const UNIFIED_ROOT = `${CGROUP_FS}/unified/quiver`;
/** The per-hierarchy roots under which each engine has its group of instance cgroups. */
export const CGROUP_ROOTS: readonly string[] = [MEMORY_ROOT, PIDS_ROOT, FREEZER_ROOT, UNIFIED_ROOT];

/** Which freezer instances get: cgroup v2's `cgroup.freeze`, v1's `freezer.state`, or none. */
export type FreezerKind = "v2" | "v1";

/** Creates the roots; `usable` is false when memory and pids cannot be used (not root, no cgroup v1). */
export async function prepareRoots(): Promise<{ usable: boolean; freezer: FreezerKind | null }> {
  try {
    await mkdir(MEMORY_ROOT, { recursive: true });
    await mkdir(PIDS_ROOT, { recursive: true });
  } catch {
    return { usable: false, freezer: null };
  }
  const made = (dir: string): Promise<boolean> => mkdir(dir, { recursive: true }).then(() => true, () => false);
  const v2 = (await stat(`${CGROUP_FS}/unified/cgroup.controllers`).then(() => true, () => false)) && (await made(UNIFIED_ROOT));
  if (v2) return { usable: true, freezer: "v2" };
  return { usable: true, freezer: (await made(FREEZER_ROOT)) ? "v1" : null };
}

/** The cgroups of one instance. */
export class InstanceCgroups {
  readonly memory: string;
  readonly pids: string;
  readonly freezer: string | null;
  readonly #freezerKind: FreezerKind | null;
  /** The freezer's control file, kept open: thawing is on the path of an invocation. */
  #freezeFd: number | null = null;

  constructor(group: string, id: string, freezer: FreezerKind | null) {
    this.memory = join(MEMORY_ROOT, group, id);
    this.pids = join(PIDS_ROOT, group, id);
    this.#freezerKind = freezer;
    this.freezer = freezer === null ? null : join(freezer === "v2" ? UNIFIED_ROOT : FREEZER_ROOT, group, id);
  }

  /** Every `cgroup.procs` a process must join, in the order it joins them. */
  get procsFiles(): string[] {
    return this.#all().map((dir) => join(dir, "cgroup.procs"));
  }

  async create(pidsMax: number): Promise<void> {
    for (const dir of this.#all()) await mkdir(dir, { recursive: true });
    await writeFile(join(this.pids, "pids.max"), String(pidsMax));
  }

  /** Moves a running process in (used when the process could not join them itself before exec). */
  async adopt(pid: number): Promise<void> {
    for (const file of this.procsFiles) await writeFile(file, String(pid));
  }

  async setMemoryLimit(bytes: number): Promise<void> {
    await writeFile(join(this.memory, "memory.limit_in_bytes"), String(bytes));
  }

  /** Whether the kernel OOM-killed something in the group. */
  async oomKilled(): Promise<boolean> {
    const text = await readFile(join(this.memory, "memory.oom_control"), "utf8").catch(() => "");
    const kills = /oom_kill (\d+)/.exec(text)?.[1];
    if (kills !== undefined) return Number(kills) > 0;
    const failcnt = await readFile(join(this.memory, "memory.failcnt"), "utf8").catch(() => "0");
    return Number(failcnt) > 0;
  }

  /** Stops every process of the instance where it stands (the kernel finishes it asynchronously). */
  freeze(): Promise<void> {
    return this.#setFrozen(true);
  }

  thaw(): Promise<void> {
    return this.#setFrozen(false);
  }

  /**
   * One write to the freezer's control file, synchronous: the kernel only marks the tasks and
   * returns (tens of microseconds), while the asynchronous open-write-close took over 1 ms of
   * threadpool hops on a loaded host.
   */
  #setFrozen(frozen: boolean): Promise<void> {
    if (this.freezer === null) return Promise.resolve();
    try {
      const v2 = this.#freezerKind === "v2";
      this.#freezeFd ??= openSync(join(this.freezer, v2 ? "cgroup.freeze" : "freezer.state"), "w");
      writeSync(this.#freezeFd, v2 ? (frozen ? "1" : "0") : frozen ? "FROZEN" : "THAWED");
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Kills everything in the instance and removes its groups. Returns false when a group could
   * not be removed in time (a process the kernel would not reap): its uid must not be reused.
   */
  async destroy(): Promise<boolean> {
    // A frozen task cannot act on SIGKILL until it is thawed.
    await this.thaw().catch(() => undefined);
    if (this.#freezeFd !== null) closeSync(this.#freezeFd);
    this.#freezeFd = null;
    let removed = await destroyCgroup(this.pids);
    for (const dir of [this.memory, this.freezer]) if (dir !== null) removed = (await destroyCgroup(dir)) && removed;
    return removed;
  }

  #all(): string[] {
    return [this.memory, this.pids, ...(this.freezer === null ? [] : [this.freezer])];
  }
}

/** SIGKILLs every process in a cgroup; returns their pids. */
export async function killAll(cgroup: string): Promise<number[]> {
  const pids = await cgroupPids(cgroup);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  return pids;
}

export async function cgroupPids(cgroup: string): Promise<number[]> {
  const text = await readFile(join(cgroup, "cgroup.procs"), "utf8").catch(() => "");
  return text.split("\n").filter((line) => line.trim() !== "").map(Number);
}

/** Time the kernel may take to reap killed tasks before their cgroup can be removed. */
const REAP_DEADLINE_MS = 5_000;
const REAP_POLL_MS = 10;

/**
 * Kills everything in a cgroup and removes it once the kernel has reaped every task (rmdir
 * fails until then). Each attempt kills again, so a process forked while the previous kill
 * was being delivered does not keep the group alive. cgroup v1 offers no notification for an
 * emptied group, so its state is polled, with a deadline. True when the group is gone.
 */
export async function destroyCgroup(cgroup: string): Promise<boolean> {
  const deadline = Date.now() + REAP_DEADLINE_MS;
  for (;;) {
    await killAll(cgroup);
    try {
      await rmdir(cgroup);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return true;
      if (Date.now() > deadline) return false;
    }
    await delay(REAP_POLL_MS);
  }
}

/** Instance ids that have a group under `group` in any controller. */
export async function instanceIdsIn(group: string): Promise<string[]> {
  const ids = new Set<string>();
  for (const root of CGROUP_ROOTS) {
    const dir = join(root, group);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (await stat(join(dir, name)).then((s) => s.isDirectory(), () => false)) ids.add(name);
    }
  }
  return [...ids];
}
