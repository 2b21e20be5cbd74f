/**
 * Public network for the functions that ask for it (SCF `PublicNetConfig`, FunctionGraph
 * `network_controller`). Every sandbox starts with a network namespace of its own that has only
 * loopback; a function with public network gets user-mode networking (slirp4netns) attached
 * when its instance is specialised:
 *
 *   sh (joins the instance's pids and freezer cgroups, so teardown and freezing include it)
 *   → unshare --mount (a private view in which /dev/net/tun is a node the instance's user may
 *     open; the host's own node is often root's alone)
 *   → setpriv (the instance's own uid) → slirp4netns --configure --disable-host-loopback
 *
 * slirp4netns opens every outside connection from the host with ordinary sockets owned by the
 * instance's uid. An nftables table (one per engine, named after its cgroup group) rejects
 * those sockets' traffic to any address of the host itself, to link-local addresses (cloud
 * metadata services) and to the addresses the server was told to protect (its store), so a
 * function reaches the outside world but not Quiver, its database or anything else that
 * listens on the host.
 */
import { execFile, spawn } from "node:child_process";
import { chmod, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { cgroupPids } from "./cgroups.js";
import type { EngineLogger } from "./options.js";
import type { Sandbox } from "./sandbox.js";
import type { UidRange } from "./uids.js";

const run = promisify(execFile);

export interface EgressTools {
  readonly sh: string;
  readonly setpriv: string;
  readonly unshare: string;
  readonly mount: string;
  readonly mknod: string;
  readonly slirp4netns: string;
  readonly nft: string;
}

/** slirp4netns's fixed addresses: the guest, and the DNS forwarder. */
const GUEST_DNS = "10.0.2.3";
const READY_TIMEOUT_MS = 10_000;

export class Egress {
  readonly #tools: EgressTools;
  readonly #tun: string;
  readonly #table: string;

  private constructor(tools: EgressTools, tun: string, table: string) {
    this.#tools = tools;
    this.#tun = tun;
    this.#table = table;
  }

  /**
   * Makes the tun node and installs the firewall table for `uids` (replacing a killed engine's).
   * Null, with one warning, when a tool is missing: functions then get loopback only.
   */
  static async prepare(tools: EgressTools | null, runDir: string, group: string, uids: UidRange, deny: readonly string[], logger: EngineLogger): Promise<Egress | null> {
    if (tools === null) {
      logger.warn({ egress: false }, "runtime: slirp4netns or nftables (nft) is not installed, so functions that ask for public network get loopback only (Debian: apt-get install slirp4netns nftables)");
      return null;
    }
    const tun = join(runDir, "net-tun");
    const table = `quiver_${group.replace(/[^A-Za-z0-9_]/g, "_")}`;
    try {
      await run(tools.mknod, [tun, "c", "10", "200"]);
      await chmod(tun, 0o666);
      // A killed engine's table is replaced, not doubled.
      await nftApply(tools.nft, `delete table inet ${table}\n`).catch(() => undefined);
      await nftApply(tools.nft, firewall(table, uids, deny));
    } catch (err) {
      logger.warn({ egress: false, err: String(err) }, "runtime: could not set up public network for functions; functions that ask for it get loopback only");
      return null;
    }
    return new Egress(tools, tun, table);
  }

  /** Gives a specialised instance's sandbox public network; resolves once it is configured. */
  async attach(sandbox: Sandbox, cgroupProcs: readonly string[], pidsCgroup: string): Promise<void> {
    if (sandbox.uid === undefined) return;
    const netns = await sandboxNetns(pidsCgroup);
    const t = this.#tools;
    const uid = String(sandbox.uid);
    const args = [
      "-c", 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 126; shift; n=$((n - 1)); done; exec "$@"', "quiver-egress", String(cgroupProcs.length), ...cgroupProcs,
      t.unshare, "--mount", "--propagation", "private", "--",
      t.sh, "-c", `${t.mount} --bind "$0" /dev/net/tun && exec "$@"`, this.#tun,
      t.setpriv, "--reuid", uid, "--regid", uid, "--clear-groups", "--no-new-privs",
      t.slirp4netns, "--configure", "--mtu=65520", "--disable-host-loopback", "--ready-fd=3", "--netns-type=path", `--userns-path=/proc/${netns}/ns/user`, `/proc/${netns}/ns/net`, "tap0",
    ];
    await waitReady(spawn(t.sh, args, { stdio: ["ignore", "ignore", "pipe", "pipe"], env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } }));
    await writeFile(sandbox.resolvConf, `nameserver ${GUEST_DNS}\n`);
  }

  async close(): Promise<void> {
    await nftApply(this.#tools.nft, `delete table inet ${this.#table}\n`).catch(() => undefined);
  }
}

/** The nftables table that keeps sandbox sockets off the host and the protected addresses. */
export function firewall(table: string, uids: UidRange, deny: readonly string[]): string {
  const owners = `meta skuid ${uids.first}-${uids.first + uids.count - 1}`;
  const v4 = deny.filter((a) => !a.includes(":"));
  const v6 = deny.filter((a) => a.includes(":"));
  const targets = [
    "fib daddr type local",
    "ip daddr 169.254.0.0/16",
    "ip6 daddr fe80::/10",
    ...(v4.length > 0 ? [`ip daddr { ${v4.join(", ")} }`] : []),
    ...(v6.length > 0 ? [`ip6 daddr { ${v6.join(", ")} }`] : []),
  ];
  const rules = targets.flatMap((target) => [`    ${owners} ${target} meta l4proto tcp reject with tcp reset`, `    ${owners} ${target} reject`]);
  return [`table inet ${table} {`, "  chain output {", "    type filter hook output priority 0; policy accept;", ...rules, "  }", "}", ""].join("\n");
}

async function nftApply(nft: string, script: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(nft, ["-f", "-"], { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`nft failed (${String(code)}): ${err.trim()}`))));
    child.stdin.end(script);
  });
}

/** A process of the sandbox inside its own network namespace (not the bwrap monitor outside it). */
async function sandboxNetns(pidsCgroup: string): Promise<number> {
  const hostNet = await readlink("/proc/self/ns/net");
  for (const pid of await cgroupPids(pidsCgroup)) {
    const net = await readlink(`/proc/${pid}/ns/net`).catch(() => hostNet);
    if (net !== hostNet) return pid;
  }
  throw new Error("the sandbox has no process in its own network namespace");
}

/** Resolves when slirp4netns writes to its ready fd; rejects if it exits or takes too long. */
function waitReady(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    let settled = false;
    child.stdio[2]?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`public network could not be set up: ${why}${stderr.trim() ? `: ${stderr.trim().slice(-500)}` : ""}`));
    };
    const timer = setTimeout(() => fail("slirp4netns was not ready in time"), READY_TIMEOUT_MS);
    child.stdio[3]?.once("data", () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve();
    });
    child.once("exit", (code, signal) => fail(`slirp4netns exited (${String(code ?? signal)})`));
    child.once("error", (err) => fail(String(err)));
  });
}
