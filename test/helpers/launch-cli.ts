// Runs the Quiver CLI from source (bin/quiver.js needs dist/): node --import tsx test/helpers/launch-cli.ts serve ...
import { main } from "../../src/cli/main.js";

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
