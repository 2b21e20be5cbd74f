/**
 * Hot reload's host directories (core's `HostDirectories` port): only paths under the root the
 * server was started with (`--hot-reload-root`), after resolving every symbolic link, so a
 * link inside the root cannot lead a function out of it. The engine resolves the path again
 * each time it starts an instance (runtime/hot-reload.ts): a link swapped later is caught there.
 */
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, sep } from "node:path";
import { QuiverError } from "../core/errors.js";
import type { HostDirectories } from "../core/ports.js";
import { listFiles, zipFiles } from "./directory.js";

/** The real path of `dir` when it is an absolute directory under `root` (itself a real path); else why not. */
export async function resolveUnderRoot(root: string, dir: string): Promise<{ path: string } | { refused: string }> {
  if (!isAbsolute(dir)) return { refused: `"${dir}" is not an absolute path` };
  let real: string;
  try {
    real = await realpath(dir);
  } catch {
    return { refused: `"${dir}" does not exist` };
  }
  if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) {
    return { refused: `"${dir}"${real === dir ? "" : ` (really ${real})`} is outside the hot-reload root ${root}` };
  }
  if (!(await stat(real)).isDirectory()) return { refused: `"${dir}" is not a directory` };
  return { path: real };
}

export class HostDirs implements HostDirectories {
  readonly #root: Promise<string>;

  /** `root` must exist; its real path is the boundary. */
  constructor(root: string) {
    this.#root = realpath(root);
    this.#root.catch(() => undefined);
  }

  async resolve(dir: string): Promise<string> {
    const found = await resolveUnderRoot(await this.#root, dir);
    if ("refused" in found) throw new QuiverError("InvalidParameter", `Hot reload refused: ${found.refused}.`, { subject: "codeSource" });
    return found.path;
  }

  async zip(dir: string): Promise<Buffer> {
    return zipFiles(await listFiles(dir));
  }
}
