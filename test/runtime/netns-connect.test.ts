/**
 * The engine's helper that connects into a sandbox's network namespace for web functions
 * (src/runtime/child/netns-connect.py, driven by NetnsConnector): it hands over a connected
 * socket, refuses a namespace that is not the one named (a pid reused by another process), and
 * reports a refused connection as an error, never a socket.
 */
import assert from "node:assert/strict";
import { readlink } from "node:fs/promises";
import { createServer, Socket, type Server } from "node:net";
import { after, before, describe, it } from "../helpers/node-test.js";
import { resolvePython } from "../../src/runtime/launcher.js";
import { NETNS_CONNECT } from "../../src/runtime/paths.js";
import { NetnsConnector } from "../../src/runtime/web-link.js";

void describe("the network namespace helper", () => {
  let python: string | null = null;
  let server: Server;
  let port = 0;
  let inode = 0;
  let connector: NetnsConnector;
  before(async () => {
    python = await resolvePython();
    server = createServer((s) => s.end("hello from the server"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
    inode = Number(/\[(\d+)\]/.exec(await readlink("/proc/self/ns/net"))?.[1]);
    connector = new NetnsConnector(python ?? "python3", NETNS_CONNECT);
  });
  after(() => {
    connector.close();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const usable = (): string | null => (python === null ? "needs python3" : process.getuid?.() !== 0 ? "entering a network namespace needs root" : null);

  void it("hands over a socket connected to the port in the named namespace", async (t) => {
    if (usable() !== null) return t.skip(usable() ?? "");
    const sock = await connector.connect({ pid: process.pid, inode, port })();
    assert.ok(sock instanceof Socket);
    const text = await new Promise<string>((resolve) => {
      let got = "";
      sock.setEncoding("utf8").on("data", (c: string) => (got += c)).once("end", () => resolve(got));
    });
    assert.equal(text, "hello from the server");
    return undefined;
  });

  void it("refuses a namespace whose inode is not the one named, and reports a refused port", async (t) => {
    if (usable() !== null) return t.skip(usable() ?? "");
    await assert.rejects(connector.connect({ pid: process.pid, inode: inode + 1, port })(), /namespace is gone/);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const unused = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(connector.connect({ pid: process.pid, inode, port: unused })(), /refused/i);
    return undefined;
  });
});
