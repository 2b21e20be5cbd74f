/**
 * Extracted code, once per sha256, under `<dir>/<sha256>`, read-only for the function.
 * Extraction goes to a temp dir that is renamed into place, so a half-written tree is never
 * visible. Instances lease the tree they run; trees no instance uses are evicted once unused
 * for `maxIdleMs`, and least recently used first whenever the cache holds more than
 * `maxBytes`, so a large package (a zip bomb within the unzipped-size limit, say) does not
 * stay on disk for good.
 */
import { createHash, randomBytes } from "node:crypto";
import { renameSync } from "node:fs";
import { chmod, mkdir, readdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { extractZip, forceRemove, makeReadOnly } from "./extract.js";

export interface CodeCacheLimits {
  /** Total extracted bytes kept; unused trees beyond it are evicted, least recently used first. */
  readonly maxBytes: number;
  /** Unused trees are evicted after this long. */
  readonly maxIdleMs: number;
}

/** A tree in use by one instance; released when the instance is gone. */
export interface CodeLease {
  readonly root: string;
  /** What the tree holds, listed once when it was extracted (absent for trees the cache did not make). */
  readonly listing?: TreeListing;
  release(): void;
}

interface Entry {
  readonly ready: Promise<{ readonly root: string; readonly listing: TreeListing }>;
  bytes: number;
  users: number;
  lastUsed: number;
}

/** What a cache owner may hook: the clock, and being told when a tree is evicted (its spares go too). */
export interface CodeCacheHooks {
  readonly now?: () => number;
  readonly evicted?: (root: string) => void;
}

export class CodeCache {
  readonly #dir: string;
  readonly #blobFile: (sha256: string) => Promise<string>;
  readonly #limits: CodeCacheLimits;
  readonly #now: () => number;
  readonly #evicted: (root: string) => void;
  /** Extractions in flight or done: the hot path never touches the disk twice for one sha. */
  readonly #entries = new Map<string, Entry>();

  constructor(dir: string, blobFile: (sha256: string) => Promise<string>, limits: CodeCacheLimits, hooks: CodeCacheHooks = {}) {
    this.#dir = dir;
    this.#blobFile = blobFile;
    this.#limits = limits;
    this.#now = hooks.now ?? Date.now;
    this.#evicted = hooks.evicted ?? (() => undefined);
  }

  /** Creates the cache root: `0o711` when unprivileged children read their tree in place, else root's alone. */
  async init(mode: number): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await chmod(this.#dir, mode);
  }

  /** The extracted tree for `sha256`, leased until `release()`. */
  acquire(sha256: string): Promise<CodeLease> {
    return this.#acquire(sha256, [sha256]);
  }

  /**
   * One tree of several packages extracted in order into the same directory, so that a later
   * package's file replaces an earlier one's at the same path and directories merge (layers
   * under `/opt`). Kept once per ordered list, like a single package.
   */
  acquireMerged(sha256s: readonly string[]): Promise<CodeLease> {
    return this.#acquire(`merged-${createHash("sha256").update(sha256s.join(",")).digest("hex")}`, sha256s);
  }

  async #acquire(key: string, packages: readonly string[]): Promise<CodeLease> {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      const created: Entry = { ready: this.#materialise(key, packages, (bytes) => (created.bytes = bytes)), bytes: 0, users: 0, lastUsed: this.#now() };
      entry = created;
      this.#entries.set(key, created);
      // A failed extraction must be retried next time, not cached forever.
      created.ready.catch(() => this.#entries.get(key) === created && this.#entries.delete(key));
    }
    entry.users += 1;
    entry.lastUsed = this.#now();
    let tree: { readonly root: string; readonly listing: TreeListing };
    try {
      tree = await entry.ready;
    } catch (err) {
      entry.users -= 1;
      throw err;
    }
    this.evict();
    let released = false;
    const held = entry;
    return {
      ...tree,
      release: () => {
        if (released) return;
        released = true;
        held.users -= 1;
        held.lastUsed = this.#now();
      },
    };
  }

  /** Extracted bytes and trees currently kept. */
  stats(): { trees: number; bytes: number } {
    let bytes = 0;
    for (const entry of this.#entries.values()) bytes += entry.bytes;
    return { trees: this.#entries.size, bytes };
  }

  /** Evicts unused trees past their idle time, then least recently used ones over the size cap. */
  evict(): void {
    const now = this.#now();
    const unused = [...this.#entries].filter(([, e]) => e.users === 0 && e.bytes > 0).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    let total = this.stats().bytes;
    for (const [sha, entry] of unused) {
      if (now - entry.lastUsed < this.#limits.maxIdleMs && total <= this.#limits.maxBytes) continue;
      total -= entry.bytes;
      this.#remove(sha);
    }
  }

  /**
   * Forgets a tree and deletes it. The tree is renamed away synchronously first, so an
   * extraction of the same sha that starts right after can never find the doomed tree in place.
   */
  #remove(sha256: string): void {
    this.#entries.delete(sha256);
    const root = join(this.#dir, sha256);
    this.#evicted(root);
    const doomed = join(this.#dir, `.evicted-${sha256}-${randomBytes(4).toString("hex")}`);
    try {
      renameSync(root, doomed);
    } catch {
      return;
    }
    void forceRemove(doomed).catch(() => undefined);
  }

  async #materialise(key: string, packages: readonly string[], sized: (bytes: number) => void): Promise<{ root: string; listing: TreeListing }> {
    for (const sha256 of packages) if (!/^[0-9a-f]{64}$/i.test(sha256)) throw new Error(`invalid code sha256 ${sha256}`);
    const final = join(this.#dir, key);
    const tmp = join(this.#dir, `.tmp-${key}-${randomBytes(4).toString("hex")}`);
    try {
      await mkdir(tmp, { mode: 0o755 });
      let bytes = 0;
      for (const sha256 of packages) bytes += await extractZip(await this.#blobFile(sha256), tmp);
      await makeReadOnly(tmp);
      const listing = await listTree(tmp);
      await rename(tmp, final);
      // Counted once in place: an empty package still takes a directory.
      sized(Math.max(1, bytes));
      return { root: final, listing };
    } catch (err) {
      await forceRemove(tmp);
      throw err;
    }
  }
}

/** One lease for a code tree and, if any, the layers tree an instance runs with: released together. */
export function joinLeases(code: CodeLease, layers: CodeLease | undefined): CodeLease {
  if (layers === undefined) return code;
  return {
    ...code,
    release: () => {
      code.release();
      layers.release();
    },
  };
}

/**
 * A tree's directories (by depth: each level's parents are in the levels before) and files,
 * as paths relative to its root. Listed once per extraction, so that showing the tree to an
 * instance (`sandbox.ts`, a link per file) reads no directories on the cold-start path.
 */
export interface TreeListing {
  readonly dirLevels: readonly (readonly string[])[];
  readonly files: readonly string[];
}

async function listTree(root: string): Promise<TreeListing> {
  const dirLevels: string[][] = [];
  const files: string[] = [];
  let level = [""];
  while (level.length > 0) {
    const next: string[] = [];
    for (const dir of level) {
      for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
        const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) next.push(path);
        else if (entry.isFile()) files.push(path);
      }
    }
    if (next.length > 0) dirLevels.push(next);
    level = next;
  }
  return { dirLevels, files };
}
