import { inflateRawSync, createInflateRaw } from "node:zlib";
import yauzl from "yauzl";
import { QuiverError } from "../core/errors.js";
import type { CodeInspector, ZipFacts } from "../core/ports.js";

/** SCF's documented limit on a function's unzipped code (FunctionGraph documents none lower). */
export const MAX_UNZIPPED_BYTES = 500 * 1024 * 1024;
/** Neither vendor documents these; Quiver's limits (docs/limits.md). */
export const MAX_ENTRIES = 20_000;
export const MAX_NAME_BYTES = 1024;
export const MAX_SEGMENT_BYTES = 255;

/** Entries declared up to this size are inflated in one call; larger ones are streamed and counted. */
const INFLATE_IN_ONE_CALL = 1024 * 1024;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Checks that an upload is a zip the runtime can extract safely, before anything is stored:
 * at most MAX_ENTRIES entries; names relative, inside the archive root, within the name
 * limits; no symbolic links; a supported compression and no encryption; and every entry,
 * actually inflated, exactly as large as it declares, all together within the unzipped limit.
 * Inflation stops at an entry's declared size, so a zip bomb costs no more than honest data.
 */
export class ZipInspector implements CodeInspector {
  readonly #maxUnzippedBytes: number;
  readonly #maxEntries: number;

  constructor(maxUnzippedBytes = MAX_UNZIPPED_BYTES, maxEntries = MAX_ENTRIES) {
    this.#maxUnzippedBytes = maxUnzippedBytes;
    this.#maxEntries = maxEntries;
  }

  async inspect(zip: Buffer): Promise<ZipFacts> {
    const archive = await openZip(zip);
    try {
      if (archive.entryCount > this.#maxEntries) {
        throw new QuiverError("CodeTooLarge", `The zip has ${archive.entryCount} entries; at most ${this.#maxEntries} are allowed.`);
      }
      let entries = 0;
      let unzippedSize = 0;
      const rootFiles: string[] = [];
      for await (const entry of eachEntry(archive)) {
        const problem = entryProblem(entry);
        if (problem) throw new QuiverError("CodeUnsafePath", `The zip entry ${shown(entry.fileName)} ${problem}.`);
        entries += 1;
        unzippedSize += entry.uncompressedSize;
        if (!/[\\/]/.test(entry.fileName)) rootFiles.push(entry.fileName);
        if (unzippedSize > this.#maxUnzippedBytes) {
          throw new QuiverError("CodeTooLarge", `The code unzips to more than ${this.#maxUnzippedBytes / 1024 / 1024} MB (at entry ${shown(entry.fileName)}).`);
        }
        await verifyData(archive, zip, entry);
      }
      return { entries, unzippedSize, rootFiles };
    } finally {
      archive.close();
    }
  }
}

function openZip(zip: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // strictFileNames off: names with '\' are checked (and refused when unsafe) by entryProblem.
    yauzl.fromBuffer(zip, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (error, archive) => {
      if (error || !archive) reject(new QuiverError("CodeNotZip", `The code is not a valid zip archive: ${error?.message ?? "unreadable"}.`, { cause: error }));
      else resolve(archive);
    });
  });
}

// yauzl 3 API that @types/yauzl (written for 2.x) does not declare yet.
declare module "yauzl" {
  interface ZipFile {
    readLocalFileHeader(entry: Entry, options: { minimal: true }, callback: (error: Error | null, header: { fileDataStart: number }) => void): void;
  }
}

/**
 * The central directory's entries, one at a time; yauzl's own findings become QuiverErrors.
 * The listeners stay attached throughout, so an error event never goes unhandled.
 */
async function* eachEntry(archive: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  let waiting: { resolve: (entry: yauzl.Entry | null) => void; reject: (error: QuiverError) => void } | null = null;
  archive.on("entry", (entry: yauzl.Entry) => waiting?.resolve(entry));
  archive.on("end", () => waiting?.resolve(null));
  archive.on("error", (error: Error) => waiting?.reject(zipError(error)));
  for (;;) {
    const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
      waiting = { resolve, reject };
      archive.readEntry();
    });
    if (entry === null) return;
    yield entry;
  }
}

/**
 * Why an entry cannot be extracted safely, or null when it can: the checks the upload and the
 * runtime's extraction share.
 */
export function entryProblem(entry: Pick<yauzl.Entry, "fileName" | "externalFileAttributes">): string | null {
  const unsafe = unsafeName(entry.fileName);
  if (unsafe) return unsafe;
  const bytes = Buffer.byteLength(entry.fileName);
  if (bytes > MAX_NAME_BYTES) return `has a name of ${bytes} bytes; at most ${MAX_NAME_BYTES} bytes are allowed`;
  const longSegment = entry.fileName.split(/[\\/]/).find((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES);
  if (longSegment !== undefined) {
    return `has a path segment of ${Buffer.byteLength(longSegment)} bytes; at most ${MAX_SEGMENT_BYTES} bytes are allowed per file or folder name`;
  }
  // Unix modes sit in the high 16 bits. A symlink could point anywhere on the host.
  if ((((entry.externalFileAttributes >>> 16) & 0xffff) & S_IFMT) === S_IFLNK) return "is a symbolic link; code packages cannot contain symbolic links";
  return null;
}

/** Why an entry name is unsafe, or null when it is fine. */
export function unsafeName(name: string): string | null {
  const normalized = name.replaceAll("\\", "/");
  if (normalized.startsWith("/") || /^[A-Za-z]:/.test(normalized)) return "has an absolute path";
  if (normalized.split("/").includes("..")) return "escapes the archive root with '..'";
  if (normalized.includes("\0")) return "contains a NUL byte";
  return null;
}

/**
 * Reads a file entry's data the way the runtime will, and checks it inflates to exactly its
 * declared size. Stored entries need no inflating: yauzl already checks that their stored and
 * declared sizes agree, and that their data lies inside the file.
 */
async function verifyData(archive: yauzl.ZipFile, zip: Buffer, entry: yauzl.Entry): Promise<void> {
  // The runtime makes a folder of a directory entry and never reads its data (some zip tools
  // write them "deflated" with no data at all).
  if (entry.fileName.endsWith("/")) return;
  if (entry.isEncrypted()) throw new QuiverError("CodeNotZip", `The zip entry ${shown(entry.fileName)} is encrypted; code packages cannot be encrypted.`);
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new QuiverError("CodeNotZip", `The zip entry ${shown(entry.fileName)} uses compression method ${entry.compressionMethod}; only stored and deflated entries are supported.`);
  }
  const start = await dataStart(archive, entry);
  if (entry.compressionMethod === 0) return;
  const data = zip.subarray(start, start + entry.compressedSize);
  let actual: number;
  try {
    actual = await inflatedSize(data, entry.uncompressedSize);
  } catch (error) {
    throw new QuiverError("CodeNotZip", `The zip entry ${shown(entry.fileName)} is corrupt: ${(error as Error).message}.`, { cause: error });
  }
  if (actual !== entry.uncompressedSize) {
    const what = actual > entry.uncompressedSize ? "more" : `${actual} bytes`;
    throw new QuiverError("CodeNotZip", `The zip entry ${shown(entry.fileName)} declares ${entry.uncompressedSize} bytes but inflates to ${what}; the archive is corrupt or forged.`);
  }
}

function dataStart(archive: yauzl.ZipFile, entry: yauzl.Entry): Promise<number> {
  return new Promise((resolve, reject) => {
    archive.readLocalFileHeader(entry, { minimal: true }, (error, header) => {
      if (error) reject(new QuiverError("CodeNotZip", `The zip entry ${shown(entry.fileName)} is unreadable: ${error.message}.`, { cause: error }));
      else resolve(header.fileDataStart);
    });
  });
}

/** The inflated size of raw deflate data, counting no further than one byte past `declared`. */
function inflatedSize(data: Buffer, declared: number): Promise<number> {
  const limit = declared + 1;
  if (declared < INFLATE_IN_ONE_CALL) {
    try {
      return Promise.resolve(inflateRawSync(data, { maxOutputLength: limit }).length);
    } catch (error) {
      // zlib stops at maxOutputLength with a RangeError: the entry inflates to more than declared.
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return Promise.resolve(limit);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return new Promise((resolve, reject) => {
    let count = 0;
    const inflate = createInflateRaw({ chunkSize: INFLATE_IN_ONE_CALL });
    inflate.on("data", (chunk: Buffer) => {
      count += chunk.length;
      if (count > declared) {
        inflate.destroy();
        resolve(count);
      }
    });
    inflate.on("end", () => resolve(count));
    inflate.on("error", reject);
    inflate.end(data);
  });
}

/** An entry name for a message: quoted, and cut short when it is very long. */
function shown(name: string): string {
  return JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}…` : name);
}

/** yauzl's own name validation reports zip-slip as an error; keep it a distinct code. */
function zipError(error: Error): QuiverError {
  if (/absolute path|invalid relative path|invalid characters/i.test(error.message)) {
    return new QuiverError("CodeUnsafePath", `The zip has an unsafe entry: ${error.message}.`, { cause: error });
  }
  return new QuiverError("CodeNotZip", `The code is not a valid zip archive: ${error.message}.`, { cause: error });
}
