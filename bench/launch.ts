// Runs the Quiver CLI from source (bench only): node --import tsx bench/launch.ts serve [flags]
import { main } from "../src/cli/main.js";

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
