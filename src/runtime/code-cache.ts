/**
 * Extracts each code zip once per sha256 into `<cacheDir>/<sha256>`, read-only for everyone.
 * Extraction goes to a temp dir that is renamed into place, so a half-written tree is never
 * visible and concurrent extractions of the same sha settle on one winner.
 */
import { createWriteStream } from "node:fs";
import { chmod, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { randomBytes } from "node:crypto";
import yauzl from "yauzl";
import { MAX_ENTRIES, entryProblem } from "../code/zip-inspector.js";

export class CodeCache {
  readonly #dir: string;
  readonly #blobPath: (sha256: string) => string;
  /** Extractions in flight or done: the hot path never touches the disk twice for one sha. */
  readonly #known = new Map<string, Promise<string>>();

  constructor(dir: string, blobPath: (sha256: string) => string) {
    this.#dir = dir;
    this.#blobPath = blobPath;
  }

  /** Creates the cache root, traversable by the unprivileged child user. */
  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await chmod(this.#dir, 0o755);
  }

  /** Absolute path of the extracted code tree for `sha256`. */
  ensure(sha256: string): Promise<string> {
    let p = this.#known.get(sha256);
    if (p === undefined) {
      p = this.#materialise(sha256);
      this.#known.set(sha256, p);
      // A failed extraction must be retried next time, not cached forever.
      p.catch(() => this.#known.delete(sha256));
    }
    return p;
  }

  async #materialise(sha256: string): Promise<string> {
    if (!/^[0-9a-f]{64}$/i.test(sha256)) throw new Error(`invalid code sha256 ${sha256}`);
    const final = join(this.#dir, sha256);
    if (await exists(final)) return final;
    const tmp = join(this.#dir, `.tmp-${sha256}-${randomBytes(4).toString("hex")}`);
    try {
      await mkdir(tmp, { mode: 0o755 });
      await extractZip(this.#blobPath(sha256), tmp);
      await makeReadOnly(tmp);
      await rename(tmp, final);
    } catch (err) {
      await forceRemove(tmp);
      // Lost a race with another extraction of the same sha: theirs is as good as ours.
      if (await exists(final)) return final;
      throw err;
    }
    return final;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Rejects absolute names and `..` segments (zip-slip); returns the safe absolute target. */
export function safeEntryPath(root: string, name: string): string {
  const clean = normalize(name.replace(/\\/g, "/"));
  if (isAbsolute(clean) || clean === ".." || clean.startsWith(`..${sep}`) || clean.includes(`${sep}..${sep}`)) {
    throw new Error(`zip entry escapes the code directory: ${name}`);
  }
  const target = join(root, clean);
  if (target !== root && !target.startsWith(root + sep)) throw new Error(`zip entry escapes the code directory: ${name}`);
  return target;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

/**
 * Uploads are checked (code/zip-inspector.ts) before they are stored; these checks repeat the
 * same rules in case a blob got here another way (an older Quiver, a copied blob directory).
 * yauzl checks each entry's inflated size against its declared size while reading.
 */
async function extractEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, root: string): Promise<void> {
  const target = safeEntryPath(root, entry.fileName);
  const problem = entryProblem(entry);
  if (problem) throw new Error(`zip entry ${entry.fileName.slice(0, 120)} ${problem}`);
  const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
  if (entry.fileName.endsWith("/")) {
    await mkdir(target, { recursive: true, mode: 0o755 });
    return;
  }
  await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  const mode = unixMode & 0o111 ? 0o755 : 0o644;
  await pipeline(await openEntry(zip, entry), createWriteStream(target, { mode }));
}

async function extractZip(zipPath: string, root: string): Promise<void> {
  const zip = await openZip(zipPath);
  if (zip.entryCount > MAX_ENTRIES) {
    zip.close();
    throw new Error(`the zip has ${zip.entryCount} entries; at most ${MAX_ENTRIES} are allowed`);
  }
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", () => resolve());
    zip.on("entry", (entry: yauzl.Entry) => {
      extractEntry(zip, entry, root).then(() => zip.readEntry(), (err: unknown) => {
        zip.close();
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
    zip.readEntry();
  });
}

/** Directories r-x, files r-- (r-x if executable) for everyone: children may read, never write. */
async function makeReadOnly(dir: string): Promise<void> {
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) await makeReadOnly(p);
    else {
      const { mode } = await stat(p);
      await chmod(p, mode & 0o111 ? 0o555 : 0o444);
    }
  }
  await chmod(dir, 0o555);
}

/** `rm -rf` that also works for a non-root owner of read-only directories. */
async function forceRemove(dir: string): Promise<void> {
  await restoreWritable(dir).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

async function restoreWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    if (ent.isDirectory()) await restoreWritable(join(dir, ent.name));
  }
}
