/**
 * A Quiver server in its own process, for `startQuiver({ mode: "process" })`:
 * `node --import tsx test/helpers/quiver-child.ts '<ConfigInput as JSON>'`. Prints the CLI's
 * listening line once it accepts requests; SIGTERM and SIGINT close it gracefully (exit 0).
 */
import { parseConfig, type ConfigInput } from "../../src/config/config.js";
import { createQuiver } from "../../src/server/app.js";

const quiver = await createQuiver(parseConfig(JSON.parse(process.argv[2] ?? "{}") as ConfigInput));
process.stdout.write(`Quiver listening on ${await quiver.listen()}\n`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void quiver.close().then(() => process.exit(0));
  });
}
