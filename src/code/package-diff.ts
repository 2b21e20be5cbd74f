/**
 * What differs between two function versions: their configuration, key by key, and their
 * packages, file by file (added, removed, changed), with a unified diff of changed text
 * files (the `diff` library). Pure apart from reading the zips given to it; `quiver diff`
 * prints it, and a console can show the same.
 */
import { createTwoFilesPatch } from "diff";
import yauzl from "yauzl";

export interface PackageSide {
  /** Label used in the diff headers (`1`, `$LATEST`). */
  readonly label: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly files: ReadonlyMap<string, Buffer>;
}

export interface ConfigChange {
  readonly key: string;
  readonly from: unknown;
  readonly to: unknown;
}

export interface FileChange {
  readonly name: string;
  /** Unified diff for text files; null for binary ones. */
  readonly patch: string | null;
}

export interface PackageDiff {
  readonly config: readonly ConfigChange[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly FileChange[];
}

/** Text files bigger than this are reported as changed without a line diff (it would be unreadable). */
const MAX_PATCH_BYTES = 1024 * 1024;

export function diffPackages(a: PackageSide, b: PackageSide): PackageDiff {
  const keys = [...new Set([...Object.keys(a.config), ...Object.keys(b.config)])].sort();
  const config = keys
    .filter((key) => JSON.stringify(a.config[key]) !== JSON.stringify(b.config[key]))
    .map((key) => ({ key, from: a.config[key], to: b.config[key] }));
  const names = [...new Set([...a.files.keys(), ...b.files.keys()])].sort();
  const added: string[] = [];
  const removed: string[] = [];
  const changed: FileChange[] = [];
  for (const name of names) {
    const before = a.files.get(name);
    const after = b.files.get(name);
    if (before === undefined) added.push(name);
    else if (after === undefined) removed.push(name);
    else if (!before.equals(after)) changed.push({ name, patch: patchOf(name, a.label, before, b.label, after) });
  }
  return { config, added, removed, changed };
}

export function isEmptyDiff(d: PackageDiff): boolean {
  return d.config.length === 0 && d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;
}

function patchOf(name: string, labelA: string, a: Buffer, labelB: string, b: Buffer): string | null {
  if (isBinary(a) || isBinary(b) || a.length + b.length > MAX_PATCH_BYTES) return null;
  return createTwoFilesPatch(`${labelA}/${name}`, `${labelB}/${name}`, a.toString("utf8"), b.toString("utf8"));
}

/** Text is valid UTF-8 without NUL bytes (what git also calls binary). */
function isBinary(bytes: Buffer): boolean {
  if (bytes.includes(0)) return true;
  return Buffer.from(bytes.toString("utf8"), "utf8").length !== bytes.length;
}

/** The files of a zip (directories left out), by name. */
export function readZip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, archive) => {
      if (err) return reject(err);
      const files = new Map<string, Buffer>();
      archive.on("error", reject);
      archive.on("end", () => resolve(files));
      archive.on("entry", (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith("/")) return archive.readEntry();
        archive.openReadStream(entry, (openErr, stream) => {
          if (openErr) return reject(openErr);
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("error", reject);
          stream.on("end", () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            archive.readEntry();
          });
        });
      });
      archive.readEntry();
    });
  });
}
