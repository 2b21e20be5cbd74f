/**
 * Hostile tenant vs. the network: host services (Quiver's API, PostgreSQL, Redis, any listener
 * on the host's addresses) are never reachable, public network or not; an address outside the
 * host is reachable only with public network enabled. "Outside" is a listener in a network
 * namespace the test creates (a veth pair in a private range): nothing leaves the machine.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { after, before, describe, type TestContext } from "../helpers/node-test.js";
import { LANGS, perLang, show, SKIP, Tenancy, type Attempt, type Lang } from "./tenancy.js";

/** Connects from the test itself; resolves with what the listener sent, or null. */
function hostConnect(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let got = "";
    socket.setTimeout(1500, () => socket.destroy());
    socket.on("data", (c: Buffer) => (got += c.toString()));
    socket.on("error", () => resolve(null));
    socket.on("close", (hadError) => resolve(hadError ? null : got));
  });
}

/** The host's own addresses besides loopback (link-local IPv6 needs a scope and is left out). */
function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal && !a.address.startsWith("fe80:"))
    .map((a) => (a as { address: string }).address);
}

/** The host's default gateways (from its routing table). */
function hostGateways(): string[] {
  return readFileSync("/proc/net/route", "utf8")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/)[2] ?? "0")
    .filter((hex) => !/^0+$/.test(hex))
    .map((hex) => {
      const n = parseInt(hex, 16);
      return [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255].join(".");
    });
}

const ipv4 = (address: string): number => address.split(".").reduce((n, part) => n * 256 + Number(part), 0);

/** True when the host itself would send a packet to `address` out of the machine. */
function leavesTheHost(address: string): boolean {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) return true;
  if (hostGateways().includes(address)) return true;
  return Object.values(networkInterfaces())
    .flat()
    .some((a) => a !== undefined && a.family === "IPv4" && !a.internal && a.address !== address && (ipv4(a.address) & ipv4(a.netmask)) >>> 0 === (ipv4(address) & ipv4(a.netmask)) >>> 0);
}

const sameNetNamespace = (pid: number): boolean => readlinkSync(`/proc/${pid}/ns/net`) === readlinkSync("/proc/self/ns/net");

const ip = (...args: string[]): string => execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

void describe("isolation: network", () => {
  let ten: Tenancy;
  let canary: Server | undefined;
  let canaryPort = 0;
  const nonce = `canary-${randomBytes(8).toString("hex")}`;

  before(async () => {
    if (SKIP) return; // every test is skipped, with the reason
    // Quiver's API on every address, so "by the host's other addresses" means something.
    ten = await Tenancy.start({ host: "0.0.0.0" });
    for (const lang of LANGS) await ten.deployProbe(lang, { name: ten.probeName(lang, "-net"), publicNet: true });
    // A stand-in for any host service bound to all addresses.
    const server = createServer((s) => s.end(nonce));
    canary = server;
    await new Promise<void>((resolve) => server.listen(0, "::", resolve));
    canaryPort = (server.address() as { port: number }).port;
  });
  after(async () => {
    const server = canary;
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
    await ten?.close();
  });

  async function hostServiceAttempt(t: TestContext, lang: Lang, probe: string, label: string): Promise<void> {
    const targets = ["127.0.0.1", "::1", "0.0.0.0", ...hostAddresses()];
    for (const host of targets) {
      assert.equal(await hostConnect(host, canaryPort), nonce, `precondition: the host reaches its canary at ${host}`);
    }
    // Where user-mode networking sits: a slirp4netns or pasta gateway may forward to the host's
    // loopback. Only asked inside a network namespace of the probe's own (otherwise it is the
    // real router), and only when the host would not send it out: pasta copies the host's real
    // gateway address, and a connection that is not mapped would leave the machine.
    const a = await ten.probeProcess(probe);
    if (!sameNetNamespace(a.hostPid)) {
      const routes = await ten.probe(probe, [{ op: "gateways" }]);
      const gateways = routes.results[0]?.data as string[] | null | undefined;
      assert.ok(Array.isArray(gateways), `the probe lists its gateways: ${JSON.stringify(routes.results[0])}`);
      for (const gateway of gateways) {
        if (leavesTheHost(gateway)) t.diagnostic(`gateway ${gateway} not probed: from the host it is an outside address`);
        else targets.push(gateway);
      }
    }
    const ports = { "Quiver API": ten.port, PostgreSQL: 5432, Redis: 6379, "host canary": canaryPort };
    const attempts: Attempt[] = targets.flatMap((host) => Object.values(ports).map((port) => ({ op: "connect", host, port, timeoutMs: 1500 })));
    const answer = await ten.probe(probe, attempts, { parallel: true });
    const problems: string[] = [];
    answer.results.forEach((r, i) => {
      if (r.ok) problems.push(`${show(attempts[i])} connected: ${show(r.data)}`);
    });
    if (JSON.stringify(answer).includes(nonce)) problems.push("the host canary's greeting came back");
    if (problems.length > 0) assert.fail(`${lang.name} probe (${label}) reached host services:\n  ${problems.join("\n  ")}`);
  }

  perLang("cannot connect to host services (public network disabled)", { short: ["node"] }, async (t, lang) => {
    await hostServiceAttempt(t, lang, ten.probeName(lang), "public network disabled");
  });

  perLang("cannot connect to host services (public network enabled)", { short: ["python"] }, async (t, lang) => {
    await hostServiceAttempt(t, lang, ten.probeName(lang, "-net"), "public network enabled");
  });

  void describe("an outside listener (network namespace)", () => {
    const noIp = hasIp() ? false : "the ip command (iproute2) is missing";
    const tag = String(process.pid % 100_000);
    const ns = `qiso${tag}`;
    const hostSide = `qiso${tag}h`;
    const nsSide = `qiso${tag}n`;
    const subnet = `10.213.${process.pid % 250}`;
    const outside = `${subnet}.2`;
    const port = 18_080;
    const greeting = `outside-${randomBytes(8).toString("hex")}`;
    let listener: ChildProcess | undefined;
    let created = false;

    before(async () => {
      if (SKIP || noIp) return; // every test is skipped, with the reason
      ip("netns", "add", ns);
      created = true;
      ip("link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
      ip("link", "set", nsSide, "netns", ns);
      ip("addr", "add", `${subnet}.1/24`, "dev", hostSide);
      ip("link", "set", hostSide, "up");
      ip("netns", "exec", ns, "ip", "addr", "add", `${outside}/24`, "dev", nsSide);
      ip("netns", "exec", ns, "ip", "link", "set", nsSide, "up");
      ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
      const script = `require("net").createServer((s)=>s.end(${JSON.stringify(greeting)})).listen(${port},${JSON.stringify(outside)},()=>console.log("LISTENING"))`;
      listener = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((resolve, reject) => {
        listener?.stdout?.on("data", (c: Buffer) => c.toString().includes("LISTENING") && resolve());
        listener?.once("exit", (code) => reject(new Error(`the outside listener exited (${String(code)})`)));
      });
      assert.equal(await hostConnect(outside, port), greeting, "precondition: the host reaches the outside listener");
      for (const lang of LANGS) {
        await ten.deployFgProbe(lang, `fgprobe-${lang.name}`);
        await ten.deployFgProbe(lang, `fgprobe-${lang.name}-net`, { publicNet: true });
      }
    });
    after(() => {
      listener?.kill("SIGKILL");
      if (!created) return;
      for (const args of [["netns", "del", ns], ["link", "del", hostSide]]) {
        try {
          ip(...args);
        } catch {
          // Already gone (deleting the namespace removes the pair).
        }
      }
    });

    async function reach(probe: string): Promise<{ ok: boolean; detail: string }> {
      const answer = await ten.probe(probe, [{ op: "connect", host: outside, port, timeoutMs: 2000 }]);
      const r = answer.results[0];
      assert.ok(r);
      const got = (r.data as { received?: string } | null)?.received ?? "";
      return { ok: r.ok && got === greeting, detail: show(r) };
    }

    perLang("public network disabled (SCF default): cannot reach an outside listener", { short: ["node"], skip: noIp }, async (_t, lang) => {
      const r = await reach(ten.probeName(lang));
      assert.equal(r.ok, false, `the probe reached ${outside}:${port} without public network: ${r.detail}`);
    });

    perLang("public network enabled (SCF PublicNetConfig): reaches an outside listener", { short: ["node"], skip: noIp }, async (_t, lang) => {
      const r = await reach(ten.probeName(lang, "-net"));
      assert.equal(r.ok, true, `the probe could not reach ${outside}:${port} with public network enabled: ${r.detail}`);
    });

    perLang("public network disabled (FunctionGraph default): cannot reach an outside listener", { skip: noIp }, async (_t, lang) => {
      const r = await reach(`fgprobe-${lang.name}`);
      assert.equal(r.ok, false, `the probe reached ${outside}:${port} without public network: ${r.detail}`);
    });

    perLang("public network enabled (FunctionGraph network_controller): reaches an outside listener", { short: ["python"], skip: noIp }, async (_t, lang) => {
      const r = await reach(`fgprobe-${lang.name}-net`);
      assert.equal(r.ok, true, `the probe could not reach ${outside}:${port} with disable_public_network false: ${r.detail}`);
    });
  });
});

function hasIp(): boolean {
  try {
    execFileSync("ip", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
