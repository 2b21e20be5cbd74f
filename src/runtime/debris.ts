/**
 * What a killed server leaves behind, and how the next one removes it before serving.
 *
 * Every engine owns one run directory (per data directory; see `server/app.ts`) holding its
 * instances' temp dirs and its extracted code, and one cgroup group of the same name under
 * `quiver/` in each controller. A server that stops cleanly empties both; one killed with
 * SIGKILL cannot. The next engine on the same run directory therefore kills whatever still
 * runs in that group (a detached process of a function outlives its server otherwise),
 * removes the cgroups, and empties the run directory, before it starts a single process.
 * A lock on the data directory (`server/data-dir-lock.ts`) makes sure no live server owns them.
 */
import { mkdir, readdir, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { CGROUP_ROOTS, cgroupPids, InstanceCgroups, instanceIdsIn, PIDS_ROOT, type FreezerKind } from "./cgroups.js";
import { forceRemove } from "./extract.js";

export interface DebrisReport {
  readonly cgroups: number;
  readonly processes: number;
  readonly paths: number;
}

/** Removes everything a previous engine on `runDir` left, and recreates the empty layout. */
export async function sweepRun(runDir: string, group: string, useCgroups: boolean, freezer: FreezerKind | null): Promise<DebrisReport> {
  const { cgroups, processes } = useCgroups ? await sweepGroup(group, freezer) : { cgroups: 0, processes: 0 };
  let paths = 0;
  for (const name of await readdir(runDir).catch(() => [] as string[])) {
    await forceRemove(join(runDir, name));
    paths += 1;
  }
  await mkdir(runDir, { recursive: true });
  return { cgroups, processes, paths };
}

async function sweepGroup(group: string, freezer: FreezerKind | null): Promise<{ cgroups: number; processes: number }> {
  let cgroups = 0;
  let processes = 0;
  for (const id of await instanceIdsIn(group)) {
    processes += (await cgroupPids(join(PIDS_ROOT, group, id))).length;
    if (await new InstanceCgroups(group, id, freezer).destroy()) cgroups += 1;
  }
  return { cgroups, processes };
}

/** Removes an engine's cgroup group directories once its instances' groups are gone. Best effort. */
export async function removeGroup(group: string): Promise<void> {
  for (const root of CGROUP_ROOTS) await rmdir(join(root, group)).catch(() => undefined);
}
