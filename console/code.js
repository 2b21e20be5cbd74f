// A code package, unzipped in the browser (fflate): each file's bytes, and its text when it is
// UTF-8 text (binary files are listed and compared by content, not shown).
import { unzipSync } from "fflate";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** path → { size, text (null when binary), bytes } for every file of the zip. */
export function filesOf(zip) {
  const files = new Map();
  for (const [path, bytes] of Object.entries(unzipSync(zip))) {
    if (path.endsWith("/")) continue;
    let text = null;
    try {
      text = bytes.includes(0) ? null : decoder.decode(bytes);
    } catch {
      text = null;
    }
    files.set(path, { size: bytes.length, text, bytes });
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Files of two packages: [{ path, change: "added" | "removed" | "changed" | "same" }]. */
export function compareFiles(left, right) {
  const paths = [...new Set([...left.keys(), ...right.keys()])].sort();
  return paths.map((path) => {
    const a = left.get(path);
    const b = right.get(path);
    const change = !a ? "added" : !b ? "removed" : sameBytes(a.bytes, b.bytes) ? "same" : "changed";
    return { path, change };
  });
}
