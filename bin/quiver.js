#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node --expose-gc
// MALLOC_MMAP_THRESHOLD_ fixes glibc's threshold for serving an allocation with its own mapping
// at its default. Left dynamic, it rises after the first large request body is freed, and the
// bodies after it come from the heap, which keeps the memory after they are freed: 40 MB more
// RSS after a handful of 8 MB uploads, for good. --expose-gc lets the server collect once it
// goes quiet after large bodies (src/server/idle-gc.ts). See docs/architecture.md.
// Entry point of the `quiver` command. Runs the compiled CLI (npm run build makes dist/).
import { existsSync } from "node:fs";

const compiled = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write("quiver: dist/ is missing; run `npm run build` first (npm start does it for you)\n");
  process.exit(2);
}
const { main } = await import(compiled.href);
const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
