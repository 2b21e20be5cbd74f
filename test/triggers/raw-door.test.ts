/**
 * Trigger URLs are served by a plain Node handler before Fastify routes them (Fastify's
 * per-request work costs main-thread CPU): no Fastify hook runs for them, refusals included.
 * What that handler leaves to Fastify (a percent-encoded path, the bare prefix) is answered the
 * same way by Fastify's route. The answers themselves are tested through the real server in
 * the other trigger tests.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { parseConfig } from "../../src/config/config.js";
import { SCF_TRIGGER_DOOR } from "../../src/dialects/http-door/plugin.js";
import type { DialectDeps } from "../../src/dialects/shared/dialect.js";
import { createHttpServer } from "../../src/server/http-server.js";
import { after, before, describe, it } from "../helpers/node-test.js";

/** No account has any app id, so every trigger URL is one without a trigger. */
const NO_ACCOUNTS = { accounts: { byAppId: () => undefined, byHuaweiProject: () => undefined } } as unknown as DialectDeps;

function send(port: number, method: string, path: string, headers: Record<string, string> = { host: "quiver" }): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: "127.0.0.1", method, path, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("trigger URLs before Fastify", () => {
  let app: FastifyInstance;
  let port: number;
  let hooks = 0;
  before(async () => {
    app = createHttpServer(parseConfig({ dataDir: "/nonexistent" }));
    app.addHook("onRequest", (_request, _reply, done) => {
      hooks += 1;
      done();
    });
    await app.register(SCF_TRIGGER_DOOR.plugin, NO_ACCOUNTS);
    await app.listen({ host: "127.0.0.1", port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  after(async () => app.close());

  it("a trigger URL, and the server's refusals of one, run no Fastify hook", async () => {
    hooks = 0;
    const missing = await send(port, "GET", "/scf/1/r/n/f/t?x=1");
    assert.equal(missing.status, 404);
    assert.equal((JSON.parse(missing.body) as { errno: number }).errno, 404);
    assert.match(String(missing.headers["x-scf-request-id"]), /^[0-9a-f-]{36}$/);
    const tooLarge = await send(port, "POST", "/scf/1/r/n/f/t", { host: "quiver", "content-type": "text/plain", "content-length": String(7 * 2 ** 20) });
    assert.equal(tooLarge.status, 413);
    assert.match(String(tooLarge.headers["x-scf-request-id"]), /^[0-9a-f-]{36}$/);
    const noHost = await send(port, "GET", "/scf/1/r/n/f/t", {});
    assert.equal(noHost.status, 400);
    assert.equal(hooks, 0);
  });

  it("what the raw handler leaves to Fastify is answered there, in the same shape", async () => {
    hooks = 0;
    const encoded = await send(port, "GET", "/scf/1/r/n/f/%74");
    assert.equal(encoded.status, 404);
    assert.equal((JSON.parse(encoded.body) as { errno: number }).errno, 404);
    assert.equal(hooks, 1);
  });
});
