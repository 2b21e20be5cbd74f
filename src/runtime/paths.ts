/**
 * Locates the child bootstrap files. They are plain JS/Python kept in `src/runtime/child/`; from
 * a compiled `dist/runtime/*.js` the sibling `child/` exists only if the `postbuild` copy ran,
 * so we fall back to `../../src/runtime/child/` (the repository layout).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

function childFile(name: string): string {
  const near = fileURLToPath(new URL(`./child/${name}`, import.meta.url));
  if (existsSync(near)) return near;
  return fileURLToPath(new URL(`../../src/runtime/child/${name}`, import.meta.url));
}

export const NODE_BOOTSTRAP = childFile("bootstrap.js");
export const PYTHON_BOOTSTRAP = childFile("bootstrap.py");
/** The engine's host-side helper that connects into sandboxes' network namespaces (web functions). */
export const NETNS_CONNECT = childFile("netns-connect.py");
