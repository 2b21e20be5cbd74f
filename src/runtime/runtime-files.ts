/**
 * The files every runtime process reads before it runs a function: the bootstrap scripts and,
 * for sandboxes, `/etc/passwd` and `/etc/group` naming the function's user. They are copied
 * into the engine's run directory at start, readable by every instance and writable by none:
 * a sandbox binds them read-only, and a `nobody` child reads them even when Quiver itself is
 * installed somewhere only root can read.
 */
import { chmod, cp, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { INSIDE_UID } from "./bwrap.js";
import { NODE_BOOTSTRAP } from "./paths.js";

const PASSWD = [`root:x:0:0:root:/root:/usr/sbin/nologin`, `function:x:${INSIDE_UID}:${INSIDE_UID}:function:/tmp:/usr/sbin/nologin`, `nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin`];
const GROUP = [`root:x:0:`, `function:x:${INSIDE_UID}:`, `nogroup:x:65534:`];

export const NODE_ENTRY = "bootstrap.js";
export const PYTHON_ENTRY = "bootstrap.py";

export async function installRuntimeFiles(runtimeDir: string): Promise<void> {
  await cp(dirname(NODE_BOOTSTRAP), runtimeDir, { recursive: true });
  await mkdir(join(runtimeDir, "etc"), { recursive: true });
  await writeFile(join(runtimeDir, "etc", "passwd"), `${PASSWD.join("\n")}\n`);
  await writeFile(join(runtimeDir, "etc", "group"), `${GROUP.join("\n")}\n`);
  await readableByAll(runtimeDir);
}

async function readableByAll(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const name of ["etc", "cjs"]) await chmod(join(dir, name), 0o755).catch(() => undefined);
  for (const file of [NODE_ENTRY, PYTHON_ENTRY, "etc/passwd", "etc/group", "cjs/package.json", "cjs/warm.js"]) {
    await chmod(join(dir, file), 0o644).catch(() => undefined);
  }
}
