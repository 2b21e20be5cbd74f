/**
 * Extraction of a stored code zip into a directory tree that the function may read but never
 * write. The upload check (`code/zip-inspector.ts`) already refused unsafe packages; these
 * checks stay as a second line, since blobs are read back from disk.
 */
import { createWriteStream } from "node:fs";
import { chmod, mkdir, readdir, rm, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { MAX_ENTRIES, entryProblem } from "../code/zip-inspector.js";

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

/** Extracts every entry of `zipPath` under `root`; returns the bytes written. */
export async function extractZip(zipPath: string, root: string): Promise<number> {
  const zip = await openZip(zipPath);
  if (zip.entryCount > MAX_ENTRIES) {
    zip.close();
    throw new Error(`the zip has ${zip.entryCount} entries; at most ${MAX_ENTRIES} are allowed`);
  }
  let bytes = 0;
  return new Promise<number>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", () => resolve(bytes));
    zip.on("entry", (entry: yauzl.Entry) => {
      // yauzl verifies while reading that an entry inflates to exactly its declared size.
      bytes += entry.uncompressedSize;
      extractEntry(zip, entry, root).then(() => zip.readEntry(), (err: unknown) => {
        zip.close();
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
    zip.readEntry();
  });
}

/** Directories r-x, files r-- (r-x if executable) for everyone: children may read, never write. */
export async function makeReadOnly(dir: string): Promise<void> {
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
export async function forceRemove(dir: string): Promise<void> {
  await restoreWritable(dir).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

async function restoreWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    if (ent.isDirectory()) await restoreWritable(join(dir, ent.name));
  }
}
