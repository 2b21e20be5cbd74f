/**
 * A directory's files as a package: the walk shared by hot reload (the server zips a
 * hot-reloaded head when it publishes; the engine copies it for each new instance) and by
 * `quiver deploy` (which zips a project). Regular files and directories only: symbolic links
 * are left out, as zips with links are refused at upload (docs/limits.md), and a link could
 * point anywhere on the host.
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import yazl from "yazl";

export interface DirectoryFile {
  /** Path inside the package, `/`-separated. */
  readonly name: string;
  /** Absolute path on the host. */
  readonly path: string;
  readonly size: number;
  readonly executable: boolean;
}

/** Decides whether a relative path (`/`-separated, directories ending in `/`) is left out. */
export type Exclude = (relativePath: string) => boolean;

/** Every regular file under `root` (sorted by name, so a package's bytes depend only on the contents). */
export async function listFiles(root: string, exclude: Exclude = () => false): Promise<DirectoryFile[]> {
  const files: DirectoryFile[] = [];
  await walk(root, root, exclude, files);
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function walk(root: string, dir: string, exclude: Exclude, into: DirectoryFile[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const name = relative(root, path).split(sep).join("/");
    if (entry.isDirectory()) {
      if (!exclude(`${name}/`)) await walk(root, path, exclude, into);
    } else if (entry.isFile() && !exclude(name)) {
      const stats = await lstat(path);
      into.push({ name, path, size: stats.size, executable: (stats.mode & 0o111) !== 0 });
    }
  }
}

/**
 * A zip of the files, with a fixed modification time: equal contents give equal bytes, and so
 * equal digests (a publish of an unchanged directory stores nothing new).
 */
export async function zipFiles(files: readonly DirectoryFile[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const file of files) {
    zip.addBuffer(await readFile(file.path), file.name, { mtime: FIXED_MTIME, mode: file.executable ? 0o100755 : 0o100644 });
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("error", reject);
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

const FIXED_MTIME = new Date(2020, 0, 1);
