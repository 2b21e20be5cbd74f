/**
 * The package `deploy` uploads: the project directory's files minus what `.quiverignore`
 * (gitignore syntax, via the `ignore` library), the project file's excludes and the defaults
 * leave out.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ignore from "ignore";
import { listFiles, zipFiles, type DirectoryFile } from "../../code/directory.js";

/** Never packaged: version control, Quiver's own data directory, the project files and the ignore file. */
export const DEFAULT_IGNORES = [".git/", ".quiver/", ".quiverignore", "serverless.yml", "serverless.yaml", "s.yaml", "s.yml", ".DS_Store"];

export const IGNORE_FILE = ".quiverignore";

export async function packageFiles(dir: string, exclude: readonly string[] = []): Promise<DirectoryFile[]> {
  const rules = ignore().add(DEFAULT_IGNORES).add([...exclude]);
  const file = join(dir, IGNORE_FILE);
  if (existsSync(file)) rules.add(readFileSync(file, "utf8"));
  return listFiles(dir, (path) => rules.ignores(path));
}

export async function packageDirectory(dir: string, exclude: readonly string[] = []): Promise<{ zip: Buffer; files: DirectoryFile[] }> {
  const files = await packageFiles(dir, exclude);
  return { zip: await zipFiles(files), files };
}
