/**
 * Where a Quiver server keeps per-instance runtime state, and what a killed one leaves behind.
 * The layout comes from the runtime itself (`runDirFor`, `runLayout`, `CGROUP_ROOTS`):
 *
 *   <run dir>/instances/<id>                        one instance's directory
 *   /sys/fs/cgroup/<controller>/quiver/<group>/<id> its cgroups
 *
 * The run dir and group are named after the data dir, so servers on different data dirs never
 * touch each other's entries, and `id` starts with `<server pid>-`, so a restarted server can
 * tell its own instances from those of a killed predecessor.
 */
import { existsSync, readdirSync, readFileSync, rmSync, rmdirSync } from "node:fs";
import { basename, join } from "node:path";
import { tmpdir } from "node:os";
import { CGROUP_ROOTS } from "../../src/runtime/cgroups.js";
import { runLayout } from "../../src/runtime/options.js";
import { runDirFor } from "../../src/server/data-dir-lock.js";

export function runtimeRoot(dataDir: string): string {
  return runDirFor(dataDir);
}

/** The per-data-dir cgroup parents (`quiver/<group>` in each controller). */
export function cgroupParents(dataDir: string): string[] {
  const { group } = runLayout(runtimeRoot(dataDir));
  return CGROUP_ROOTS.map((root) => join(root, group));
}

export interface InstanceEntry {
  readonly kind: "temp dir" | `${string} cgroup`;
  readonly id: string;
  readonly path: string;
  /** Processes still in the cgroup (always empty for temp dirs). */
  readonly procs: readonly number[];
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

function procsOf(cgroup: string): number[] {
  try {
    return readFileSync(join(cgroup, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every instance temp dir and cgroup that belongs to the server(s) of this data dir. */
export function instanceEntries(dataDir: string): InstanceEntry[] {
  const layout = runLayout(runtimeRoot(dataDir));
  const entries: InstanceEntry[] = [];
  for (const id of list(layout.instancesDir)) entries.push({ kind: "temp dir", id, path: join(layout.instancesDir, id), procs: [] });
  for (const root of CGROUP_ROOTS) {
    const controller = basename(join(root, ".."));
    const parent = join(root, layout.group);
    for (const id of list(parent)) {
      const path = join(parent, id);
      entries.push({ kind: `${controller} cgroup`, id, path, procs: procsOf(path) });
    }
  }
  return entries;
}

/** Entries of the live server with this pid. */
export function ownedBy(entries: readonly InstanceEntry[], pid: number): InstanceEntry[] {
  return entries.filter((e) => e.id.startsWith(`${pid}-`));
}

/** Debris: entries no live server owns. With `livePid` null (after a clean stop) every entry is debris. */
export function debrisOf(dataDir: string, livePid: number | null): InstanceEntry[] {
  return instanceEntries(dataDir).filter((e) => livePid === null || !e.id.startsWith(`${livePid}-`));
}

export function describeEntries(entries: readonly InstanceEntry[]): string {
  return entries.map((e) => `${e.kind} ${e.path}${e.procs.length > 0 ? ` (processes ${e.procs.join(",")})` : ""}`).join("\n  ");
}

/** True when cgroup v1 memory and pids controllers are mounted (instances then get cgroups). */
export function cgroupsAvailable(): boolean {
  return process.getuid?.() === 0 && existsSync("/sys/fs/cgroup/memory") && existsSync("/sys/fs/cgroup/pids");
}

/**
 * Test cleanup after a failed run: kills processes left in this data dir's cgroups (started by
 * the test's own server) and removes its temp dirs and cgroups, so a failure does not litter
 * the shared machine. Assertions look at the entries before this runs.
 */
export function removeInstanceState(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  const entries = instanceEntries(dataDir);
  for (const entry of entries) {
    for (const pid of entry.procs) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  for (const entry of entries) {
    if (entry.kind === "temp dir") rmSync(entry.path, { recursive: true, force: true });
    else rmdirQuietly(entry.path);
  }
  for (const parent of cgroupParents(dataDir)) rmdirQuietly(parent);
  rmSync(runtimeRoot(dataDir), { recursive: true, force: true });
}

function rmdirQuietly(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    // still busy (a process not yet reaped) or already gone; best effort
  }
}

/**
 * What a server's running instances occupy, read from /proc rather than from the layout above:
 * each child's private temp dir (its TMPDIR) and its memory and pids cgroups. Taken just before
 * a kill, it says what must be gone after the restart whatever the layout, and lets the suite
 * clean up after a server that failed to.
 */
export interface Footprint {
  readonly pid: number;
  readonly paths: readonly string[];
}

function parentOf(pid: string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return -1;
  }
}

/**
 * An instance temp dir the suite may remove: `<tmp>/quiver-<key>/instances/<id>`, or the
 * `<tmp>/quiver-i-XXXXXX` of runtimes before that layout. Nothing shared (like a code cache).
 */
function instanceTempDir(path: string): boolean {
  const root = tmpdir();
  if (!path.startsWith(`${root}/`)) return false;
  const rest = path.slice(root.length + 1);
  return /^quiver-i-[A-Za-z0-9]+$/.test(rest) || /^quiver-[0-9a-f]{12}\/instances\/[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(rest);
}

export function footprintOf(serverPid: number): Footprint[] {
  const children = readdirSync("/proc").filter((name) => /^\d+$/.test(name) && parentOf(name) === serverPid);
  return children.flatMap((pid) => {
    try {
      const tmp = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").find((e) => e.startsWith("TMPDIR="))?.slice("TMPDIR=".length) ?? "";
      const groups = readFileSync(`/proc/${pid}/cgroup`, "utf8")
        .split("\n")
        .map((line) => /^\d+:(memory|pids):(\/quiver\/.+)$/.exec(line))
        .flatMap((m) => (m?.[1] && m[2] ? [`/sys/fs/cgroup/${m[1]}${m[2]}`] : []));
      return [{ pid: Number(pid), paths: [...(instanceTempDir(tmp) ? [tmp] : []), ...groups] }];
    } catch {
      return []; // exited meanwhile
    }
  });
}

export function stillThere(footprints: readonly Footprint[]): string[] {
  return [...new Set(footprints.flatMap((f) => f.paths))].filter((p) => existsSync(p));
}

/** Removes what `footprints` name and is still there (cgroups only when empty). */
export function removeFootprints(footprints: readonly Footprint[]): void {
  for (const path of stillThere(footprints)) {
    if (path.startsWith("/sys/fs/cgroup/")) rmdirQuietly(path);
    else if (instanceTempDir(path)) rmSync(path, { recursive: true, force: true });
  }
}
