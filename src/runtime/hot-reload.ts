/**
 * Hot reload in the engine: a head that runs a host directory gets, for each new instance, a
 * copy of the directory's current files, and a watcher on the directory retires the head's
 * instances (debounced) when anything in it changes, so the next invocation starts on the new
 * files.
 *
 * Why a copy and not a bind of the directory itself: a sandbox's code mount is fixed when its
 * process starts, and pre-started processes start before they know their function; a copy is
 * also one consistent snapshot per instance (a save half-way through a start cannot mix two
 * versions of the files without the watcher retiring that instance), works across file
 * systems, and is readable by the instance's unprivileged uid whatever the owner's file modes.
 * The function still sees it read-only, at the vendor's code path.
 */
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, realpath } from "node:fs/promises";
import { dirname, join } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import { listFiles } from "../code/directory.js";
import { resolveUnderRoot } from "../code/host-dirs.js";
import { MAX_ENTRIES, MAX_UNZIPPED_BYTES } from "../code/zip-inspector.js";
import type { CodeLease } from "./code-cache.js";
import { forceRemove, makeReadOnly } from "./extract.js";

/** Changes closer together than this are one change: an editor's save is often several writes. */
export const HOT_RELOAD_DEBOUNCE_MS = 25;

interface Watched {
  readonly watcher: FSWatcher;
  readonly ready: Promise<void>;
  /** Instance key prefixes to retire on a change, with the leases that need each. */
  readonly prefixes: Map<string, number>;
  timer: NodeJS.Timeout | null;
}

export class HotReload {
  readonly #root: string | undefined;
  readonly #copiesDir: string;
  readonly #retire: (keyPrefix: string) => void;
  readonly #watched = new Map<string, Watched>();

  /**
   * `root`: the hot-reload root (undefined: hot reload is off, and a head that still names a
   * directory cannot start). Copies go under `copiesDir`; `retire` is the engine's.
   */
  constructor(root: string | undefined, copiesDir: string, retire: (keyPrefix: string) => void) {
    this.#root = root;
    this.#copiesDir = copiesDir;
    this.#retire = retire;
  }

  /**
   * A fresh copy of `dir`'s files for one instance, whose changes retire `keyPrefix`. The path
   * is resolved again here (a link swapped since the function was saved is caught), and the
   * watcher is ready before the copy starts, so no change can fall between the two.
   */
  async acquire(dir: string, keyPrefix: string): Promise<CodeLease> {
    if (this.#root === undefined) throw new Error(`hot reload is off on this server (no --hot-reload-root), so the directory ${dir} cannot run`);
    const found = await resolveUnderRoot(await realpath(this.#root), dir);
    if ("refused" in found) throw new Error(`hot reload refused: ${found.refused}`);
    const release = await this.#watch(found.path, keyPrefix);
    const copy = join(this.#copiesDir, `.hot-${randomBytes(8).toString("hex")}`);
    try {
      await copyTree(found.path, copy);
    } catch (err) {
      release();
      await forceRemove(copy);
      throw err;
    }
    let released = false;
    return {
      root: copy,
      release: () => {
        if (released) return;
        released = true;
        release();
        void forceRemove(copy).catch(() => undefined);
      },
    };
  }

  /** Directories watched now, for tests and stats. */
  watchedCount(): number {
    return this.#watched.size;
  }

  async close(): Promise<void> {
    const all = [...this.#watched.values()];
    this.#watched.clear();
    for (const w of all) if (w.timer) clearTimeout(w.timer);
    await Promise.all(all.map((w) => w.watcher.close()));
  }

  async #watch(dir: string, keyPrefix: string): Promise<() => void> {
    let w = this.#watched.get(dir);
    if (w === undefined) {
      const watcher = watch(dir, { ignoreInitial: true, followSymlinks: false });
      const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
      const created: Watched = { watcher, ready, prefixes: new Map(), timer: null };
      watcher.on("all", () => this.#changed(created));
      // A watcher error (a directory removed, too many watches) must not take the server down;
      // the instance still runs, and the next start copies the directory again.
      watcher.on("error", () => undefined);
      this.#watched.set(dir, created);
      w = created;
    }
    const held = w;
    held.prefixes.set(keyPrefix, (held.prefixes.get(keyPrefix) ?? 0) + 1);
    await held.ready;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (held.prefixes.get(keyPrefix) ?? 1) - 1;
      if (left > 0) held.prefixes.set(keyPrefix, left);
      else held.prefixes.delete(keyPrefix);
      if (held.prefixes.size === 0 && this.#watched.get(dir) === held) {
        this.#watched.delete(dir);
        if (held.timer) clearTimeout(held.timer);
        void held.watcher.close();
      }
    };
  }

  #changed(w: Watched): void {
    if (w.timer) clearTimeout(w.timer);
    w.timer = setTimeout(() => {
      w.timer = null;
      for (const prefix of w.prefixes.keys()) this.#retire(prefix);
    }, HOT_RELOAD_DEBOUNCE_MS);
    w.timer.unref();
  }
}

/**
 * Copies the directory's regular files (no links: see code/directory.ts), then makes the copy
 * read-only. The limits of an uploaded package apply (entries, unzipped bytes): a directory
 * that could never be published does not fill the engine's disk once per instance either.
 */
async function copyTree(from: string, to: string): Promise<void> {
  const files = await listFiles(from);
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  if (files.length > MAX_ENTRIES) throw new Error(`hot reload: ${from} holds ${files.length} files; at most ${MAX_ENTRIES} are allowed, as in a package`);
  if (bytes > MAX_UNZIPPED_BYTES) throw new Error(`hot reload: ${from} holds ${bytes} bytes; at most ${MAX_UNZIPPED_BYTES} are allowed, as in a package`);
  await mkdir(to, { mode: 0o755 });
  const dirs = new Set(files.map((f) => dirname(join(to, f.name))));
  for (const dir of dirs) await mkdir(dir, { recursive: true, mode: 0o755 });
  await Promise.all(files.map((f) => copyFile(f.path, join(to, f.name))));
  await makeReadOnly(to);
}
