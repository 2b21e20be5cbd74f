/**
 * cgroup v1 paths and the two operations every teardown needs: kill what runs in a group, and
 * remove the group once the kernel has reaped it.
 */
import { readFile, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

export const MEMORY_ROOT = "/sys/fs/cgroup/memory/quiver";
export const PIDS_ROOT = "/sys/fs/cgroup/pids/quiver";
/** The per-controller roots under which each engine has its group of instance cgroups. */
export const CGROUP_ROOTS: readonly string[] = [MEMORY_ROOT, PIDS_ROOT];

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

async function cgroupPids(cgroup: string): Promise<number[]> {
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
 * emptied group, so its state is polled, with a deadline. Returns whether it was removed.
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
      if (code === "ENOENT") return false;
      if (Date.now() > deadline) return false;
    }
    await delay(REAP_POLL_MS);
  }
}
