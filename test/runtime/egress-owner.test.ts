/**
 * The functions' firewall (an nftables table that keeps sandbox sockets off the host) belongs to
 * the server that made it: a server killed with SIGKILL must not leave it hooked into every
 * packet of the host. Needs root and nft, as the sandbox's public network does.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { describe, it } from "../helpers/node-test.js";
import { eventually } from "../helpers/eventually.js";
import { startQuiver, testDirs } from "../helpers/quiver.js";
import { runDirFor } from "../../src/server/data-dir-lock.js";

function tables(): string[] | null {
  try {
    return execFileSync("nft", ["list", "tables"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split("\n").filter(Boolean);
  } catch {
    return null;
  }
}

const nftWorks = process.getuid?.() === 0 && tables() !== null;

void describe("the functions' firewall", () => {
  void it("goes with a server killed with SIGKILL", { skip: nftWorks ? false : "needs root and nft (apt-get install nftables)" }, async () => {
    const dirs = testDirs();
    const server = await startQuiver({ mode: "process", dirs });
    try {
      // The engine's group (and so its table) is named after its run directory (runtime/options.ts).
      const group = `run-${createHash("sha256").update(resolve(runDirFor(dirs.dataDir))).digest("hex").slice(0, 12)}`;
      const table = `table inet quiver_${group.replace(/[^A-Za-z0-9_]/g, "_")}`;
      await eventually(() => tables()?.includes(table), { what: `${table} while the server runs` });
      await server.kill("SIGKILL");
      await eventually(() => tables()?.includes(table) === false, { what: `${table} gone after SIGKILL` });
    } finally {
      dirs.remove();
    }
  });
});
