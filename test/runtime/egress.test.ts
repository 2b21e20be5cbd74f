import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo, type Server } from "node:net";
import { after, before, describe, it } from "../helpers/node-test.js";
import type { Engine } from "../../src/runtime/index.js";
import { fixture, request, type Fixture } from "./helpers.js";

/**
 * A host outside the sandbox, without leaving this machine: a network namespace the test makes,
 * joined to the host by a veth pair, with a TCP listener that answers "hello".
 */
class TestHost {
  readonly name = `qegress-${randomBytes(3).toString("hex")}`;
  readonly hostSide = `qe${randomBytes(3).toString("hex")}`;
  readonly hostAddress = "10.213.77.1";
  readonly address = "10.213.77.2";
  readonly port = 8477;
  #listener: ChildProcess | null = null;

  async start(): Promise<void> {
    const ip = (...args: string[]): void => void execFileSync("ip", args);
    ip("netns", "add", this.name);
    ip("link", "add", this.hostSide, "type", "veth", "peer", "name", "eth-q", "netns", this.name);
    ip("addr", "add", `${this.hostAddress}/30`, "dev", this.hostSide);
    ip("link", "set", this.hostSide, "up");
    ip("-n", this.name, "addr", "add", `${this.address}/30`, "dev", "eth-q");
    ip("-n", this.name, "link", "set", "eth-q", "up");
    ip("-n", this.name, "link", "set", "lo", "up");
    const script = `require("net").createServer((s) => s.end("hello")).listen(${this.port}, "${this.address}", () => console.log("up"))`;
    this.#listener = spawn("ip", ["netns", "exec", this.name, process.execPath, "-e", script], { stdio: ["ignore", "pipe", "inherit"], env: { PATH: process.env.PATH ?? "" } });
    await new Promise<void>((resolve, reject) => {
      this.#listener?.stdout?.once("data", () => resolve());
      this.#listener?.once("exit", (code) => reject(new Error(`listener exited ${String(code)}`)));
    });
  }

  stop(): void {
    this.#listener?.kill("SIGKILL");
    for (const args of [["link", "del", this.hostSide], ["netns", "del", this.name]]) {
      try {
        execFileSync("ip", args, { stdio: "ignore" });
      } catch {
        // Already gone.
      }
    }
  }
}

const CONNECT = `
const net = require("net");
const attempt = (host, port) => new Promise((resolve) => {
  const s = net.connect({ host, port, timeout: 2000 });
  let data = "";
  s.on("data", (d) => (data += d));
  s.on("end", () => resolve("got " + data));
  s.on("timeout", () => { s.destroy(); resolve("timeout"); });
  s.on("error", (e) => resolve(e.code));
});
exports.main_handler = async (e) => Object.fromEntries(await Promise.all(e.targets.map(async (t) => [t.host + ":" + t.port, await attempt(t.host, t.port)])));
`;

const usable = process.getuid?.() === 0 ? false : "needs root (network namespaces)";

void describe("public network", { skip: usable }, () => {
  const outside = new TestHost();
  let f: Fixture;
  let engine: Engine;
  /** Listeners of the host itself, on its loopback and on its address towards the test host. */
  const hostServers: Server[] = [];
  const hostPorts: { host: string; port: number }[] = [];
  before(async () => {
    await outside.start();
    for (const host of ["127.0.0.1", outside.hostAddress]) {
      const server = createServer((s) => s.end("host")).listen(0, host);
      await new Promise((resolve) => server.once("listening", resolve));
      hostServers.push(server);
      hostPorts.push({ host, port: (server.address() as AddressInfo).port });
    }
    f = await fixture();
    engine = f.engine();
    await engine.ready();
  });
  after(async () => {
    await engine.close();
    for (const server of hostServers) server.close();
    outside.stop();
  });

  const targets = (): { host: string; port: number }[] => [{ host: outside.address, port: outside.port }, ...hostPorts];

  void it("is off by default: nothing outside the sandbox is reachable", { timeout: 30_000 }, async (t) => {
    if (engine.stats().isolation !== "sandbox") return t.skip("no sandbox on this host");
    const sha = await f.zip({ "index.js": CONNECT });
    const out = await engine.invoke(request({ sha, key: "closed", event: { targets: targets() } }));
    assert.equal(out.error, null, JSON.stringify(out.error));
    const seen = JSON.parse(out.result) as Record<string, string>;
    assert.ok(Object.values(seen).every((v) => !v.startsWith("got")), JSON.stringify(seen));
  });

  void it("when asked for, reaches the outside but not the host's own addresses", { timeout: 30_000 }, async (t) => {
    if (engine.stats().isolation !== "sandbox") return t.skip("no sandbox on this host");
    const sha = await f.zip({ "index.js": CONNECT });
    const req = request({ sha, key: "open", event: { targets: targets() } });
    const open = { ...req, target: { ...req.target, config: { ...req.target.config, publicNetwork: true } } };
    const out = await engine.invoke(open);
    assert.equal(out.error, null, JSON.stringify(out.error));
    const seen = JSON.parse(out.result) as Record<string, string>;
    assert.equal(seen[`${outside.address}:${outside.port}`], "got hello", JSON.stringify(seen));
    for (const { host, port } of hostPorts) assert.ok(!String(seen[`${host}:${port}`]).startsWith("got"), `the host's own ${host} is out of reach: ${JSON.stringify(seen)}`);
  });
});
