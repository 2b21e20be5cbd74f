import { execFileSync } from "node:child_process";

/**
 * nftables tables that Quiver servers killed with SIGKILL left behind (one per data directory;
 * a server removes its own when it stops, or a killed one's when it starts on the same data).
 * Each hooks every outgoing packet of the host: 26 of them, left by test runs, doubled the bare
 * HTTP echo's loopback p50 (0.12 → 0.25 ms). A benchmark on such a host measures the leftovers.
 */
export function leftoverFirewallTables(): string[] {
  try {
    const out = execFileSync("nft", ["list", "tables"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return out.split("\n").map((line) => /^table inet (quiver_\S+)/.exec(line)?.[1]).filter((name): name is string => name !== undefined);
  } catch {
    return []; // no nft, or no permission: nothing Quiver could have left either
  }
}
