/**
 * Everything one instance owns besides its process: a host directory, cgroups, and at the
 * `sandbox` isolation level its own host uid and the view of its code.
 *
 * At the `sandbox` level the code is shown to the process as a tree of hard links to the
 * extracted package (`code/` in the instance's host directory, bound read-only at the vendors'
 * code paths). The extraction cache itself stays readable by root alone, and a stem cell that
 * was started before anyone knew which function it would run receives its code this way, with
 * one link per file, when it is specialised. Its layers, merged into one tree by the cache, are
 * linked the same way into `opt/` (bound read-only at `/opt`). A tree shown before has a
 * ready-made copy (spare-trees.ts) whose top-level entries are renamed in instead: making
 * directories is what costs a cold start, not linking files.
 */
import { linkSync, mkdirSync } from "node:fs";
import { chown, link, mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { SANDBOX_PATHS, sandboxCommand } from "./bwrap.js";
import { InstanceCgroups } from "./cgroups.js";
import type { Isolation } from "./isolation.js";
import type { UidPool } from "./uids.js";
import type { CodeLease, TreeListing } from "./code-cache.js";
import type { SpareTrees } from "./spare-trees.js";

/** Where an engine keeps its instances. */
export interface SandboxPlace {
  readonly instancesDir: string;
  /** The engine's cgroup group under `quiver/` in each controller. */
  readonly group: string;
  /** Host directory with the runtime bootstrap files and the sandbox `/etc` files. */
  readonly runtimeDir: string;
}

export interface SandboxLimits {
  readonly pidsMax: number;
  readonly tmpSizeBytes: number;
  /** Host files and directories every sandbox shows read-only at the same path. */
  readonly roBinds: readonly string[];
  /** Symbolic links every sandbox has in its root: [target, path]. */
  readonly links: readonly (readonly [string, string])[];
}

/** How to spawn a runtime process in a sandbox. */
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** Written to the process's fd 4 (bwrap's arguments), when set. */
  readonly argsOnFd: Buffer | undefined;
  /** Set when `spawn` itself must switch user (the `user` level). */
  readonly uid: number | undefined;
  readonly gid: number | undefined;
}

export class Sandbox {
  readonly id: string;
  /** The instance's directory on the host. */
  readonly hostDir: string;
  /** The instance's own host uid (`sandbox` level only). */
  readonly uid: number | undefined;
  readonly #iso: Isolation;
  readonly #place: SandboxPlace;
  readonly #limits: SandboxLimits;
  readonly #cgroups: InstanceCgroups | null;
  readonly #uids: UidPool;
  #oom: Promise<boolean> | null = null;

  private constructor(id: string, place: SandboxPlace, iso: Isolation, limits: SandboxLimits, uids: UidPool) {
    this.id = id;
    this.hostDir = join(place.instancesDir, id);
    this.#iso = iso;
    this.#place = place;
    this.#limits = limits;
    this.#uids = uids;
    this.#cgroups = iso.cgroups ? new InstanceCgroups(place.group, id, iso.freezer) : null;
    this.uid = iso.level === "sandbox" ? uids.take() : undefined;
  }

  static async create(id: string, place: SandboxPlace, iso: Isolation, limits: SandboxLimits, uids: UidPool): Promise<Sandbox> {
    const box = new Sandbox(id, place, iso, limits, uids);
    try {
      await box.#makeDirs();
      await box.#cgroups?.create(limits.pidsMax);
    } catch (err) {
      await box.destroy();
      throw err;
    }
    return box;
  }

  async #makeDirs(): Promise<void> {
    if (this.uid !== undefined) {
      // Reached by the sandbox's own uid (as its group) to bind its code, by nobody else.
      await mkdir(this.hostDir, { mode: 0o750 });
      await mkdir(this.#codeDir(), { mode: 0o750 });
      await mkdir(this.#optDir(), { mode: 0o750 });
      // The mount point of FunctionGraph's code root, which bwrap cannot create inside a read-only /opt.
      await mkdir(join(this.#optDir(), FGS_CODE_IN_OPT), { recursive: true, mode: 0o755 });
      await this.#linkUnderOpt();
      await chown(this.hostDir, 0, this.uid);
      await chown(this.#codeDir(), 0, this.uid);
      await chown(this.#optDir(), 0, this.uid);
      await writeFile(this.resolvConf, "# no network: this function has no public network access\n", { mode: 0o644 });
      return;
    }
    // `user` and `none` levels: the host directory is the instance's temp dir.
    await mkdir(this.hostDir, { mode: 0o700 });
    if (this.#iso.uid !== undefined && this.#iso.gid !== undefined) await chown(this.hostDir, this.#iso.uid, this.#iso.gid);
  }

  #codeDir(): string {
    return join(this.hostDir, "code");
  }

  #optDir(): string {
    return join(this.hostDir, "opt");
  }

  /**
   * The symbolic links every sandbox has under /opt (FunctionGraph's interpreter paths) are made
   * in the instance's own /opt directory: bwrap's would be hidden by the /opt bind.
   */
  async #linkUnderOpt(): Promise<void> {
    await Promise.all(
      this.#limits.links.filter(([, path]) => underOpt(path)).map(async ([target, path]) => {
        const at = join(this.#optDir(), path.slice(SANDBOX_PATHS.layers.length + 1));
        await mkdir(dirname(at), { recursive: true, mode: 0o755 });
        await symlink(target, at);
      }),
    );
  }

  /** The host file the sandbox sees as /etc/resolv.conf: no resolver until it has a network. */
  get resolvConf(): string {
    return join(this.hostDir, "resolv.conf");
  }

  /** The temp dir (and HOME) as the process sees it. */
  get tmpDir(): string {
    return this.uid === undefined ? this.hostDir : SANDBOX_PATHS.tmp;
  }

  /** The bootstrap directory as the process sees it. */
  get runtimeDir(): string {
    return this.uid === undefined ? this.#place.runtimeDir : SANDBOX_PATHS.runtime;
  }

  /** The command that starts `command args` in this sandbox. `dropToNobody`: `user` level only. */
  launchSpec(command: string, args: readonly string[], dropToNobody: boolean): LaunchSpec {
    const tools = this.#iso.tools;
    if (this.uid !== undefined && tools !== null && this.#cgroups !== null) {
      const wrapped = sandboxCommand({
        tools,
        uid: this.uid,
        cgroupProcs: this.#cgroups.procsFiles,
        fileSizeBytes: this.#limits.tmpSizeBytes,
        tmpSizeBytes: this.#limits.tmpSizeBytes,
        codeDir: this.#codeDir(),
        optDir: this.#optDir(),
        resolvConf: this.resolvConf,
        runtimeDir: this.#place.runtimeDir,
        roBinds: this.#limits.roBinds,
        links: this.#limits.links.filter(([, path]) => !underOpt(path)),
        command,
        args,
      });
      return { ...wrapped, uid: undefined, gid: undefined };
    }
    const drop = dropToNobody && this.#iso.uid !== undefined;
    return { command, args, argsOnFd: undefined, uid: drop ? this.#iso.uid : undefined, gid: drop ? this.#iso.gid : undefined };
  }

  /**
   * How the function's process ended. A sandbox's init reports a child killed by signal N as
   * exit status 128 + N; it is turned back into the signal, as an unsandboxed process reports it.
   */
  exitOf(code: number | null, signal: NodeJS.Signals | null): [number | null, NodeJS.Signals | null] {
    if (this.uid === undefined || signal !== null || code === null || code <= 128) return [code, signal];
    const name = SIGNAL_NAMES.get(code - 128);
    return name === undefined ? [code, signal] : [null, name];
  }

  /** Moves a spawned process into the instance's cgroups; a sandboxed one joined them itself. */
  async adopt(pid: number): Promise<void> {
    if (this.uid === undefined) await this.#cgroups?.adopt(pid);
  }

  /**
   * Makes the extracted package at `tree` the instance's code, and the merged layers at
   * `layers` (if any) its `/opt`; returns the code root and the layers' root as the process sees
   * them. Without a sandbox there is no `/opt` of its own: the layers stay where they were
   * extracted, and the process is pointed at them there. Called once, when the instance is specialised.
   */
  async installCode(tree: ShownTree, convention: "scf" | "fgs", layers: ShownTree | null = null, spares: SpareTrees | null = null): Promise<{ root: string; layersRoot: string | null }> {
    if (this.uid === undefined) return { root: tree.root, layersRoot: layers?.root ?? null };
    await Promise.all([showTree(tree, this.#codeDir(), spares), layers === null ? undefined : showTree(layers, this.#optDir(), spares)]);
    return { root: convention === "scf" ? SANDBOX_PATHS.scfCode : SANDBOX_PATHS.fgsCode, layersRoot: layers === null ? null : SANDBOX_PATHS.layers };
  }

  /**
   * What a helper process of this instance (its network) joins so that teardown and freezing
   * include it: the pids and freezer cgroups, not memory, which is the function's own.
   */
  get helperCgroups(): { procs: string[]; pids: string } | null {
    const cg = this.#cgroups;
    if (cg === null) return null;
    return { procs: [cg.pids, ...(cg.freezer === null ? [] : [cg.freezer])].map((dir) => join(dir, "cgroup.procs")), pids: cg.pids };
  }

  async setMemoryLimit(bytes: number): Promise<void> {
    await this.#cgroups?.setMemoryLimit(bytes);
  }

  get canFreeze(): boolean {
    return this.#cgroups?.freezer != null;
  }

  async freeze(): Promise<void> {
    await this.#cgroups?.freeze();
  }

  async thaw(): Promise<void> {
    await this.#cgroups?.thaw();
  }

  /**
   * Whether the kernel OOM-killed something in this instance (read only after a death). Read
   * once and remembered: `destroy()` reads it before removing the group, so a caller that asks
   * after the (concurrent) teardown still gets the answer instead of "no" from a missing file.
   */
  oomKilled(): Promise<boolean> {
    if (this.#cgroups === null) return Promise.resolve(false);
    this.#oom ??= this.#cgroups.oomKilled();
    return this.#oom;
  }

  /**
   * Kills everything the instance still runs (a detached child of the function included),
   * removes its cgroups and directory, and gives its uid back once nothing runs as it.
   */
  async destroy(): Promise<void> {
    let empty = true;
    if (this.#cgroups !== null) {
      await this.oomKilled();
      empty = await this.#cgroups.destroy();
    }
    await rm(this.hostDir, { recursive: true, force: true }).catch(() => undefined);
    if (this.uid !== undefined && empty) this.#uids.give(this.uid);
  }
}

function underOpt(path: string): boolean {
  return path.startsWith(`${SANDBOX_PATHS.layers}/`);
}

/** `/opt/function/code` relative to `/opt`. */
const FGS_CODE_IN_OPT = SANDBOX_PATHS.fgsCode.slice(SANDBOX_PATHS.layers.length + 1);

const SIGNAL_NAMES: ReadonlyMap<number, NodeJS.Signals> = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** An extracted tree to show an instance: its root, and its listing when the cache made one. */
export type ShownTree = Pick<CodeLease, "root" | "listing">;

/**
 * Trees of at most this many entries are linked with synchronous calls: a `mkdir` or `link`
 * takes microseconds, and a round trip through libuv's four-thread pool costs more than that,
 * most of all on a busy host (measured, 82 entries: 4-14 ms through the pool, 2.5-3.5 ms
 * directly, load average 15 on 2 cores). This is on every cold start of a function with layers.
 * Larger trees go through the pool, so that they never hold up the server's other requests.
 */
const SYNC_LINK_MAX_ENTRIES = 256;

/**
 * Mirrors a tree under `dst`: by renaming a ready-made spare's top-level entries in when there
 * is one, else from its listing (no directory reads), else by walking it.
 */
async function showTree(tree: ShownTree, dst: string, spares: SpareTrees | null): Promise<void> {
  const listing = tree.listing;
  if (listing === undefined) return linkTree(tree.root, dst);
  const missed = spares?.takeInto({ root: tree.root, listing }, dst) ?? null;
  if (missed === null) return linkListed(tree.root, listing, dst);
  if (missed.length > 0) await linkListed(tree.root, only(listing, missed), dst);
}

/** The part of a listing under some of its top-level entries. */
function only(listing: TreeListing, names: readonly string[]): TreeListing {
  const kept = (path: string): boolean => names.some((name) => path === name || path.startsWith(`${name}/`));
  return { dirLevels: listing.dirLevels.map((level) => level.filter(kept)).filter((level) => level.length > 0), files: listing.files.filter(kept) };
}

/** Makes a listed tree's directories and links its files under `dst`. */
async function linkListed(root: string, listing: TreeListing, dst: string): Promise<void> {
  const entries = listing.files.length + listing.dirLevels.reduce((n, level) => n + level.length, 0);
  if (entries <= SYNC_LINK_MAX_ENTRIES) {
    for (const level of listing.dirLevels) for (const dir of level) makeDirSync(join(dst, dir));
    for (const file of listing.files) linkSync(join(root, file), join(dst, file));
    return;
  }
  for (const level of listing.dirLevels) await Promise.all(level.map((dir) => makeDir(join(dst, dir))));
  await Promise.all(listing.files.map((file) => link(join(root, file), join(dst, file))));
}

function makeDirSync(path: string): void {
  try {
    mkdirSync(path, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

/** A directory that may be there already: a layer's `function/`, /opt's own mount point. */
async function makeDir(path: string): Promise<void> {
  await mkdir(path, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
}

/** Mirrors `src` under `dst` with directories made and files hard-linked (same inodes). */
async function linkTree(src: string, dst: string): Promise<void> {
  const entries = await readdir(src, { withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      const from = join(src, entry.name);
      const to = join(dst, entry.name);
      if (entry.isDirectory()) {
        await makeDir(to);
        await linkTree(from, to);
      } else if (entry.isFile()) {
        await link(from, to);
      }
    }),
  );
}
