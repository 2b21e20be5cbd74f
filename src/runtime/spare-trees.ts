/**
 * Ready-made copies of extracted trees (directories made, files hard-linked), one per tree,
 * so that a cold start shows an instance its code and layers by renaming a few top-level
 * entries instead of making every directory then.
 *
 * Why: making a directory is the expensive step of showing a tree (measured on this ext4 host:
 * `mkdir` 0.42 ms, `link` 0.03 ms, `rename` 0.05 ms), so a layer list of 40 small modules
 * (42 directories) cost a cold start 24 ms, five times the rest of it. A spare is made in the
 * background once a start that showed the tree is over (first use, and after each use), so the
 * next cold start of the same code or layer list takes it: one `rename` per top-level entry.
 *
 * Only trees with a listing (made by the code cache, immutable under their root) get spares;
 * a hot-reload copy changes under the same root and is always linked afresh. The spares live
 * in the run directory, on the same file system as the instances (a rename cannot cross file
 * systems), readable by root alone; the code cache drops a tree's spare when it evicts the tree.
 */
import { renameSync } from "node:fs";
import { link, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { forceRemove } from "./extract.js";
import type { TreeListing } from "./code-cache.js";
import type { ShownTree } from "./sandbox.js";

interface Spare {
  /** Where the copy is, once it is complete; null while it is being made. */
  dir: string | null;
  /** Set when the tree left the cache while its copy was being made: the copy is deleted when done. */
  dropped: boolean;
}

/** A tree as the code cache lists it. */
export interface ListedTree {
  readonly root: string;
  readonly listing: TreeListing;
}

export class SpareTrees {
  readonly #dir: string;
  /** By tree root. */
  readonly #spares = new Map<string, Spare>();
  #seq = 0;
  #taken = 0;
  /** Copies being made, dropped ones included. */
  #making = 0;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Creates the spares directory (the run directory is swept at start, so it starts empty). */
  async init(): Promise<void> {
    await mkdir(this.#dir, { mode: 0o700 });
  }

  /**
   * Moves the ready spare of `tree` into `dst` (an existing directory). Returns the top-level entries that could not be moved (already in `dst`: a
   * layer's `function/` next to /opt's own), which the caller links itself; null when no spare
   * was ready, and the caller shows the whole tree itself.
   */
  takeInto(tree: ListedTree, dst: string): readonly string[] | null {
    const spare = this.#spares.get(tree.root);
    if (spare?.dir == null) return null;
    this.#spares.delete(tree.root);
    this.#taken += 1;
    const missed: string[] = [];
    for (const name of topLevel(tree.listing)) {
      try {
        renameSync(join(spare.dir, name), join(dst, name));
      } catch {
        missed.push(name);
      }
    }
    void forceRemove(spare.dir).catch(() => undefined);
    return missed;
  }

  /**
   * Starts making a spare of a tree the cache made (one with a listing) and with directories
   * (a flat tree is cheap to link), unless one is ready or being made.
   */
  replenish(tree: ShownTree): void {
    const listing = tree.listing;
    if (listing === undefined || listing.dirLevels.length === 0 || this.#spares.has(tree.root)) return;
    this.#make({ root: tree.root, listing });
  }

  /** Forgets the spare of a tree the cache evicted, and deletes it (once made). */
  drop(root: string): void {
    const spare = this.#spares.get(root);
    if (spare === undefined) return;
    this.#spares.delete(root);
    spare.dropped = true;
    if (spare.dir !== null) void forceRemove(spare.dir).catch(() => undefined);
  }

  /** Spares ready now, copies being made, and spares taken so far. */
  stats(): { ready: number; making: number; taken: number } {
    let ready = 0;
    for (const spare of this.#spares.values()) if (spare.dir !== null) ready += 1;
    return { ready, making: this.#making, taken: this.#taken };
  }

  #make(tree: ListedTree): void {
    const spare: Spare = { dir: null, dropped: false };
    this.#spares.set(tree.root, spare);
    this.#seq += 1;
    const dir = join(this.#dir, String(this.#seq));
    this.#making += 1;
    void copyTree(tree, dir)
      .then(
        () => !spare.dropped,
        // A spare is an optimisation: a failed copy leaves the next cold start to link the tree.
        () => false,
      )
      .then(async (kept) => {
        if (kept) spare.dir = dir;
        else {
          if (this.#spares.get(tree.root) === spare) this.#spares.delete(tree.root);
          await forceRemove(dir).catch(() => undefined);
        }
        this.#making -= 1;
      });
  }
}

/** The entries at a tree's top: its first level of directories and its files outside any. */
function topLevel(listing: TreeListing): string[] {
  return [...(listing.dirLevels[0] ?? []), ...listing.files.filter((file) => !file.includes("/"))];
}

/**
 * Mirrors a listed tree under `dir` one call at a time through the thread pool: never on the
 * event loop's time, and never more than one of the pool's four threads, so the cold start
 * that asked for it (its cgroup writes go through the pool too) does not queue behind it.
 */
async function copyTree(tree: ListedTree, dir: string): Promise<void> {
  await mkdir(dir, { mode: 0o755 });
  for (const level of tree.listing.dirLevels) for (const sub of level) await mkdir(join(dir, sub), { mode: 0o755 });
  for (const file of tree.listing.files) await link(join(tree.root, file), join(dir, file));
}
