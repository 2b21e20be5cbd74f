import yauzl from "yauzl";
import { QuiverError } from "../core/errors.js";
import type { CodeInspector, ZipFacts } from "../core/ports.js";

export const MAX_UNZIPPED_BYTES = 500 * 1024 * 1024;

/**
 * Validates a zip from its central directory without extracting it: every entry name must be
 * relative and stay inside the archive root (no zip-slip), and the declared uncompressed sizes
 * must add up to at most the limit. yauzl itself rejects malformed archives and names.
 */
export class ZipInspector implements CodeInspector {
  readonly #maxUnzippedBytes: number;

  constructor(maxUnzippedBytes = MAX_UNZIPPED_BYTES) {
    this.#maxUnzippedBytes = maxUnzippedBytes;
  }

  inspect(zip: Buffer): Promise<ZipFacts> {
    return new Promise((resolve, reject) => {
      // validateEntrySizes makes yauzl check sizes while reading; we read no data, only names.
      yauzl.fromBuffer(zip, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (openError, archive) => {
        if (openError || !archive) {
          reject(new QuiverError("CodeNotZip", `The code is not a valid zip archive: ${openError?.message ?? "unreadable"}.`, { cause: openError }));
          return;
        }
        let entries = 0;
        let unzippedSize = 0;
        const fail = (error: QuiverError): void => {
          archive.close();
          reject(error);
        };
        archive.on("entry", (entry: yauzl.Entry) => {
          const problem = unsafeName(entry.fileName);
          if (problem) return fail(new QuiverError("CodeUnsafePath", `The zip entry "${entry.fileName}" ${problem}.`));
          entries += 1;
          unzippedSize += entry.uncompressedSize;
          if (unzippedSize > this.#maxUnzippedBytes) {
            return fail(new QuiverError("CodeTooLarge", `The code unzips to more than ${this.#maxUnzippedBytes / 1024 / 1024} MB.`));
          }
          archive.readEntry();
        });
        archive.on("end", () => resolve({ entries, unzippedSize }));
        archive.on("error", (error: Error) => reject(zipError(error)));
        archive.readEntry();
      });
    });
  }
}

/** yauzl's own name validation reports zip-slip as an error; keep it a distinct code. */
function zipError(error: Error): QuiverError {
  if (/absolute path|invalid relative path|invalid characters/i.test(error.message)) {
    return new QuiverError("CodeUnsafePath", `The zip has an unsafe entry: ${error.message}.`, { cause: error });
  }
  return new QuiverError("CodeNotZip", `The code is not a valid zip archive: ${error.message}.`, { cause: error });
}

/** Why an entry name is unsafe, or null when it is fine. */
export function unsafeName(name: string): string | null {
  const normalized = name.replaceAll("\\", "/");
  if (normalized.startsWith("/") || /^[A-Za-z]:/.test(normalized)) return "has an absolute path";
  if (normalized.split("/").includes("..")) return "escapes the archive root with '..'";
  if (normalized.includes("\0")) return "contains a NUL byte";
  return null;
}
