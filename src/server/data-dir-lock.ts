/**
 * One server per data directory. A starting server removes the processes, cgroups and temp
 * dirs a killed one left (see runtime/debris.ts); a second live server on the same data
 * directory would have its instances removed the same way, so the second one refuses to start.
 *
 * The lock is a Linux abstract Unix socket named after the data directory: the kernel releases
 * it the moment its owner dies, however it dies, so a `kill -9` never leaves a stale lock.
 */
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export class DataDirInUseError extends Error {
  override readonly name = "DataDirInUseError";
}

/** A short, stable name for a data directory (its real path hashed). */
export function dataDirId(dataDir: string): string {
  return createHash("sha256").update(realpathSync(dataDir)).digest("hex").slice(0, 12);
}

/** The engine's run directory for a data directory: instance temp dirs and extracted code. */
export function runDirFor(dataDir: string): string {
  return join(tmpdir(), `quiver-${dataDirId(dataDir)}`);
}

export interface DataDirLock {
  release(): Promise<void>;
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(err.code === "EADDRINUSE" ? new DataDirInUseError(`the data directory ${dataDir} is in use by another running Quiver server`) : err),
    );
    server.listen(`\0quiver-data-${dataDirId(dataDir)}`, resolve);
  });
  server.unref();
  return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
