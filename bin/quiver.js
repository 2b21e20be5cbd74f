#!/usr/bin/env node
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
