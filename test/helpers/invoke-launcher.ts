/**
 * Runs a Quiver server in its own process for restart tests:
 * `node --import tsx test/helpers/invoke-launcher.ts '{"dataDir":..., "accountsFile":..., "engine":{...}}'`.
 * Prints `LISTENING <port>` once it accepts requests; SIGTERM closes it gracefully.
 */
import { parseConfig } from "../../src/config/config.js";
import { createQuiver } from "../../src/server/app.js";

const spec = JSON.parse(process.argv[2] ?? "{}") as { dataDir: string; accountsFile: string; engine?: Record<string, unknown> };
const quiver = await createQuiver(
  parseConfig({
    port: 0,
    dataDir: spec.dataDir,
    accountsFile: spec.accountsFile,
    logLevel: "silent",
    rateLimits: { enabled: false, overrides: {} },
    engine: { prewarm: { nodejs: 0, python: 0 }, ...spec.engine },
  }),
);
const url = await quiver.listen();
process.stdout.write(`LISTENING ${new URL(url).port}\n`);
process.once("SIGTERM", () => {
  void quiver.close().then(() => process.exit(0));
});
