/**
 * Refusals made before a trigger URL is routed (Node's parser, Fastify's router) are answered in
 * the gateway's shape of the URL's vendor, as the dialects' are: `/scf/…` with SCF's
 * `{errno, error, requestId}`, `/apig/…` with API Gateway's `{error_code, error_msg, request_id}`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { exchange, type RawResponse } from "../helpers/raw-http.js";

async function only(port: number, request: string): Promise<RawResponse> {
  const result = await exchange(port, request);
  assert.equal(result.responses.length, 1, result.bytes.toString("latin1").slice(0, 300));
  return result.responses[0] as RawResponse;
}

const get = (target: string, extra = ""): string => `GET ${target} HTTP/1.1\r\nHost: quiver\r\n${extra}Connection: close\r\n\r\n`;
const json = (response: RawResponse): Record<string, unknown> => JSON.parse(response.body.toString()) as Record<string, unknown>;

describe("trigger URL refusals before routing", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, http: { maxHeaderBytes: 4096 } });
  });
  after(async () => server.stop());

  it("a path that is not validly percent-encoded", async () => {
    const scf = await only(server.port, get("/scf/%zz/x"));
    assert.equal(scf.status, 400);
    assert.equal(json(scf)["errno"], 400);
    const apig = await only(server.port, get("/apig/%zz/x"));
    assert.equal(apig.status, 400);
    assert.equal(json(apig)["error_code"], "APIG.0201");
  });

  it("headers over the limit", async () => {
    const big = `X-Big: ${"b".repeat(8000)}\r\n`;
    const scf = await only(server.port, get("/scf/1/r/n/f/t", big));
    assert.equal(scf.status, 413);
    assert.equal(json(scf)["errno"], 413);
    const apig = await only(server.port, get("/apig/p/x", big));
    assert.equal(apig.status, 413);
    assert.equal(json(apig)["error_code"], "APIG.0201");
  });

  it("a missing Host header", async () => {
    const scf = await only(server.port, "GET /scf/1/r/n/f/t HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert.equal(scf.status, 400);
    const apig = await only(server.port, "GET /apig/p/x HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert.equal(json(apig)["error_code"], "APIG.0201");
  });
});
