import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, mkdir, open, readdir, readFile, rename, stat, unlink, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { BlobStore } from "../core/ports.js";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Content-addressed blobs on the local file system: `<root>/ab/abcdef…`. A blob is written to
 * a temp file, fsynced, renamed into place and its directory fsynced, so a blob that a
 * metadata commit refers to is always complete. Writing the same digest twice is a no-op,
 * and an orphaned blob (its metadata commit failed) is harmless.
 */
export class FsBlobStore implements BlobStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async localFile(sha256: string): Promise<string> {
    return this.pathOf(sha256);
  }

  pathOf(sha256: string): string {
    // The id becomes a path: refuse anything that is not a digest, so it cannot escape the root.
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256 digest: ${sha256}`);
    return join(this.#root, sha256.slice(0, 2), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await access(this.pathOf(sha256), constants.F_OK);
      return true;
    } catch {
      return false;
    }
  }

  async put(sha256: string, bytes: Buffer): Promise<void> {
    if (await this.has(sha256)) {
      // Reusing a stored blob: mark it fresh, so garbage collection cannot take it away
      // between now and the commit that references it again.
      const now = new Date();
      await utimes(this.pathOf(sha256), now, now);
      return;
    }
    const target = this.pathOf(sha256);
    const dir = join(this.#root, sha256.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.tmp-${sha256.slice(0, 8)}-${randomBytes(6).toString("hex")}`);
    const file = await open(temp, "wx", 0o644);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await syncDir(dir);
  }

  async list(): Promise<{ sha256: string; touchedAt: number }[]> {
    const out: { sha256: string; touchedAt: number }[] = [];
    for (const dir of await readdir(this.#root).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const name of await readdir(join(this.#root, dir)).catch(() => [] as string[])) {
        if (!SHA256_HEX.test(name)) continue;
        const info = await stat(join(this.#root, dir, name)).catch(() => null);
        if (info) out.push({ sha256: name, touchedAt: info.mtimeMs });
      }
    }
    return out;
  }

  async removeIfUntouchedSince(sha256: string, notAfter: number): Promise<boolean> {
    const path = this.pathOf(sha256);
    const info = await stat(path).catch(() => null);
    if (!info || info.mtimeMs > notAfter) return false;
    await unlink(path);
    return true;
  }

  read(sha256: string): Promise<Buffer> {
    return readFile(this.pathOf(sha256));
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
