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
  readonly #owner: OwnedTable | null;

  private constructor(tools: EgressTools, tun: string, table: string, owner: OwnedTable | null) {
    this.#tools = tools;
    this.#tun = tun;
    this.#table = table;
    this.#owner = owner;
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
      const owner = await OwnedTable.install(tools.nft, table, firewallCommands(table, uids, deny), (why) => {
        // The kernel removed the table with its owner: re-install it at once (the gap is one nft start).
        logger.error({ egress: true, err: why }, "runtime: the process holding the functions' firewall ended; installing it again");
      }).catch((err: unknown) => {
        // Kernels before 5.12 have no owned tables: a plain one, which a killed server leaves behind.
        logger.warn({ err: String(err) }, "runtime: nftables cannot tie the functions' firewall to this server (owned tables need Linux 5.12); a server killed with SIGKILL leaves it until the next start on this data directory");
        return null;
      });
      if (owner === null) await nftApply(tools.nft, firewall(table, uids, deny));
      return new Egress(tools, tun, table, owner);
    } catch (err) {
      logger.warn({ egress: false, err: String(err) }, "runtime: could not set up public network for functions; functions that ask for it get loopback only");
      return null;
    }
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
    if (this.#owner) await this.#owner.close();
    else await nftApply(this.#tools.nft, `delete table inet ${this.#table}\n`).catch(() => undefined);
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

/** The same firewall as one-line commands for `nft -i`, in a table owned by that nft process. */
export function firewallCommands(table: string, uids: UidRange, deny: readonly string[]): string[] {
  const rules = firewall(table, uids, deny).split("\n").filter((line) => line.startsWith("    meta skuid"));
  return [
    `add table inet ${table} { flags owner; }`,
    `add chain inet ${table} output { type filter hook output priority 0; policy accept; }`,
    ...rules.map((rule) => `add rule inet ${table} output ${rule.trim()}`),
  ];
}

/** How long `nft -i` may take to install the owned table before the plain one is used. */
const OWNED_TABLE_TIMEOUT_MS = 5_000;

/**
 * The firewall table in nftables' "owner" mode, held by a long-running `nft -i` child: the kernel
 * removes an owned table when its owner's netlink socket closes. When the server is killed with
 * SIGKILL the child reads end-of-file and exits, so the table goes too. A plain table outlived
 * every killed server, and each one left behind hooks every outgoing packet of the host (26 of
 * them, left by test runs, doubled loopback latency).
 */
class OwnedTable {
  #child: ReturnType<typeof spawn>;
  #closing = false;
  readonly #nft: string;
  readonly #table: string;
  readonly #commands: readonly string[];
  readonly #onLost: (why: string) => void;

  private constructor(nft: string, table: string, commands: readonly string[], onLost: (why: string) => void, child: ReturnType<typeof spawn>) {
    this.#nft = nft;
    this.#table = table;
    this.#commands = commands;
    this.#onLost = onLost;
    this.#child = child;
    this.#watch();
  }

  static async install(nft: string, table: string, commands: readonly string[], onLost: (why: string) => void): Promise<OwnedTable> {
    return new OwnedTable(nft, table, commands, onLost, await OwnedTable.#start(nft, table, commands));
  }

  /** Starts `nft -i`, sends the commands, and resolves once nft lists the table back. */
  static #start(nft: string, table: string, commands: readonly string[]): Promise<ReturnType<typeof spawn>> {
    const child = spawn(nft, ["-i"], { stdio: ["pipe", "pipe", "pipe"] });
    return new Promise((resolve, reject) => {
      let out = "";
      let err = "";
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(new Error(`nft -i: ${why}${err.trim() ? `: ${err.trim().slice(-500)}` : ""}`));
      };
      const timer = setTimeout(() => fail("the owned table was not listed in time"), OWNED_TABLE_TIMEOUT_MS);
      child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
        err += chunk;
        if (/error/i.test(err)) fail("a command was refused");
      });
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        if (out.includes(`table inet ${table} {`) && out.includes("flags owner")) {
          clearTimeout(timer);
          child.removeAllListeners("exit");
          resolve(child);
        }
      });
      child.once("exit", (code, signal) => fail(`exited (${String(code ?? signal)})`));
      child.once("error", (e) => fail(String(e)));
      child.stdin?.write([...commands, `list table inet ${table}`, ""].join("\n"));
    });
  }

  #watch(): void {
    this.#child.once("exit", (code, signal) => {
      if (this.#closing) return;
      this.#onLost(`nft -i exited (${String(code ?? signal)})`);
      OwnedTable.#start(this.#nft, this.#table, this.#commands).then(
        (child) => {
          this.#child = child;
          this.#watch();
        },
        (error: unknown) => this.#onLost(String(error)),
      );
    });
  }

  /** Ends the owner: the kernel removes the table. Resolves once nft has exited. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()));
    this.#child.stdin?.end();
    await exited;
  }
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
