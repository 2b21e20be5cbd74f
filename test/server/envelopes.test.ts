/**
 * Whatever arrives, the answer is the envelope of the vendor whose path it came in on: SCF's
 * `{"Response":{"Error":{...},"RequestId"}}` (HTTP 200) for `/` and every other path,
 * FunctionGraph's `{"error_code","error_msg"}` with a status for `/v2/`, `/v1.0/` and `/v3/`.
 * Never Fastify's `{"statusCode","error","message"}`, never a bare status line, never silence.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { connect, type Socket } from "node:net";
import { ALICE } from "../helpers/accounts.js";
import { call } from "../helpers/fgs-http.js";
import { gc, settledMemory } from "../helpers/memory.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { collect, exchange, type Exchange, fgsError, scfErrorCode } from "../helpers/raw-http.js";
import { eventually } from "../helpers/eventually.js";
import { sendTc3 } from "../helpers/tc3.js";

const { projectId, accessKey, secretKey } = ALICE.huawei;

/** One request, one answer, connection closed. */
async function only(port: number, request: string): Promise<Exchange["responses"][number]> {
  const result = await exchange(port, request);
  assert.equal(result.responses.length, 1, `one answer to ${JSON.stringify(request.slice(0, 80))}: ${result.bytes.toString("latin1").slice(0, 300)}`);
  return result.responses[0] as Exchange["responses"][number];
}

const get = (target: string, extra = ""): string => `GET ${target} HTTP/1.1\r\nHost: quiver\r\n${extra}Connection: close\r\n\r\n`;

void describe("every refusal is in the vendor's envelope", { timeout: 120_000 }, () => {
  let server: TestQuiver;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, limits: { maxBodyBytes: 64 * 1024 } });
  });
  after(async () => server.stop());

  void it("unknown routes: SCF's InvalidAction off FunctionGraph's paths, its 404 on them", async () => {
    for (const request of [get("/nope"), get("/favicon.ico"), "PUT / HTTP/1.1\r\nHost: q\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", "OPTIONS / HTTP/1.1\r\nHost: q\r\nConnection: close\r\n\r\n"]) {
      assert.equal(scfErrorCode(await only(server.port, request)), "InvalidAction", request);
    }
    for (const target of ["/v2", "/v3/nope", "/v3/projects/x", "/v1.0"]) {
      assert.equal(fgsError(await only(server.port, get(target))), "404 FSS.0404", target);
    }
  });

  void it("malformed URLs", async () => {
    assert.equal(scfErrorCode(await only(server.port, get("/%"))), "InvalidParameterValue");
    assert.equal(scfErrorCode(await only(server.port, get("/a%zzb"))), "InvalidParameterValue");
    assert.equal(fgsError(await only(server.port, get("/v2/%zz/fgs/functions"))), "400 FSS.0400");
    assert.equal(fgsError(await only(server.port, get("/v1.0/%/fss/functions"))), "400 FSS.0400");
  });

  void it("bytes that are not HTTP, a missing Host, an unsupported Expect, CONNECT", async () => {
    assert.equal(scfErrorCode(await only(server.port, "BLAH / HTTP/1.1\r\nHost: q\r\n\r\n")), "InvalidParameter.Payload");
    assert.equal(fgsError(await only(server.port, "BLAH /v2/x HTTP/1.1\r\nHost: q\r\n\r\n")), "406 FSS.0406");
    assert.equal(scfErrorCode(await only(server.port, "GET / HTTP/1.1\r\nHost: q\r\nBad Header\r\n\r\n")), "InvalidParameter.Payload");
    assert.equal(scfErrorCode(await only(server.port, "POST / HTTP/1.1\r\nHost: q\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")), "InvalidParameter.Payload");
    assert.equal(scfErrorCode(await only(server.port, "POST / HTTP/1.1\r\nHost: q\r\nContent-Length: 5\r\n\r\nab")), "InvalidParameter.Payload", "body cut short");
    assert.equal(scfErrorCode(await only(server.port, "GET / HTTP/1.1\r\n\r\n")), "InvalidParameter.Payload", "no Host");
    assert.equal(fgsError(await only(server.port, "GET /v2/x HTTP/1.1\r\nConnection: close\r\n\r\n")), "406 FSS.0406", "no Host");
    assert.equal(fgsError(await only(server.port, get("/v2/x", "Expect: teapot\r\n"))), "406 FSS.0406");
    assert.equal(scfErrorCode(await only(server.port, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")), "InvalidAction");
    assert.equal(scfErrorCode(await only(server.port, "POST / HTTP/1.1\r\nHost: q\r\nContent-Type: ;;\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")), "InvalidParameter.Payload");
  });

  void it("headers over the limit (431) are answered, then the connection closes", async () => {
    const big = `X-Big: ${"a".repeat(64 * 1024)}\r\n`;
    const scf = await exchange(server.port, get("/", big), { end: false });
    assert.equal(scf.responses.length, 1, scf.bytes.toString("latin1").slice(0, 200));
    assert.equal(scfErrorCode(scf.responses[0]), "RequestSizeLimitExceeded");
    assert.match(JSON.parse(scf.responses[0]?.body ?? "{}").Response.Error.Message, /headers.*at most 49152 bytes/);
    const fgs = await exchange(server.port, get(`/v2/${projectId}/fgs/functions`, big), { end: false });
    assert.equal(fgsError(fgs.responses[0]), "413 FSS.0413");
  });

  void it("headers over the limit in a later chunk: a bare 431, with no body a HEAD client would misread", async () => {
    // The request line arrives in one read, the header that crosses the limit in another, so
    // the failing chunk does not say which method (or path) the request had.
    const serverSide = new Promise<Socket>((resolve) => server.quiver.app.server.once("connection", resolve));
    const client = connect(server.port, "127.0.0.1");
    const received = new Promise<Exchange>((resolve) => collect(client, performance.now(), resolve));
    const first = `HEAD / HTTP/1.1\r\nHost: quiver\r\nX-A: ${"a".repeat(30 * 1024)}\r\n`;
    client.write(first);
    const socket = await serverSide;
    await eventually(() => socket.bytesRead >= first.length, { what: "the server to read the first chunk" });
    client.write(`X-B: ${"b".repeat(30 * 1024)}\r\n\r\n`);
    const result = await received;
    const text = result.bytes.toString("latin1");
    assert.match(text, /^HTTP\/1\.1 431 /, text.slice(0, 200));
    assert.ok(text.endsWith("\r\n\r\n"), `nothing after the head: ${JSON.stringify(text)}`);
    assert.match(text, /content-length: 0\r\n/i);
  });

  void it("a body over the limit", async () => {
    const body = Buffer.alloc(64 * 1024 + 1, "a").toString();
    const scf = await sendTc3(server.url, { action: "ListFunctions", body, secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey });
    assert.equal(scf.body.Response.Error?.Code, "RequestSizeLimitExceeded");
    assert.match(scf.body.Response.Error?.Message ?? "", /at most 65536 bytes/);
    const fgs = await call({ port: server.port, projectId, ak: accessKey, sk: secretKey }, "POST", `/v2/${projectId}/fgs/functions`, Buffer.from(body));
    assert.equal(fgs.status, 413);
    assert.equal(fgs.json()["error_code"], "FSS.0413");
  });

  void it("JSON that is not an object is a parameter error in both dialects", async () => {
    const fgsCaller = { port: server.port, projectId, ak: accessKey, sk: secretKey };
    for (const body of ["[]", "[1,2]", '"text"', "null", "42", "true"]) {
      const scf = await sendTc3(server.url, { action: "CreateFunction", body, secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey });
      assert.equal(scf.body.Response.Error?.Code, "InvalidParameter.Payload", body);
      assert.match(scf.body.Response.Error?.Message ?? "", /must be a JSON object/, body);
      const fgs = await call(fgsCaller, "POST", `/v2/${projectId}/fgs/functions`, Buffer.from(body));
      assert.equal(`${fgs.status} ${String(fgs.json()["error_code"])}`, "406 FSS.0406", body);
      assert.match(String(fgs.json()["error_msg"]), /must be a JSON object/, body);
    }
  });

  void it("a fuzz run: every answer is a vendor envelope, and memory returns to where it was", async () => {
    const random = mulberry32(20_241_130);
    gc();
    const before = process.memoryUsage();
    let fgsAnswers = 0;
    for (let round = 0; round < 12; round += 1) {
      const batch = Array.from({ length: 50 }, () => fuzzRequest(random));
      const results = await Promise.all(batch.map((fuzz) => exchange(server.port, fuzz.bytes).catch((error: unknown) => {
        throw new Error(`${String(error)} for ${JSON.stringify(fuzz.bytes.toString("latin1").slice(0, 300))}`);
      })));
      results.forEach((result, i) => {
        const fuzz = batch[i];
        if (!fuzz) return;
        const what = JSON.stringify(fuzz.bytes.toString("latin1").slice(0, 160));
        assert.ok(result.responses.length >= 1, `no answer to ${what}`);
        const first = result.responses[0];
        assert.doesNotMatch(first?.body ?? "", /"statusCode"/, `Fastify's envelope for ${what}`);
        if (fuzz.dialect === "fgs") {
          fgsError(first);
          fgsAnswers += 1;
        } else if (fuzz.dialect === "iam") {
          // IAM's own route answers in Keystone's shape; what fails before it, in FunctionGraph's.
          if (!/^\{"error":\{"code":40\d,"title"/.test(first?.body ?? "")) fgsError(first);
        } else {
          scfErrorCode(first);
        }
      });
    }
    assert.ok(fgsAnswers > 100, "the fuzz reached FunctionGraph's paths");
    const heap = await settledMemory(() => process.memoryUsage().heapUsed, before.heapUsed * 1.2);
    assert.ok(heap <= before.heapUsed * 1.2, `heap: ${before.heapUsed} → ${heap} bytes`);
    const buffersLimit = before.arrayBuffers * 1.2 + 1024 * 1024;
    const buffers = await settledMemory(() => process.memoryUsage().arrayBuffers, buffersLimit);
    assert.ok(buffers <= buffersLimit, `array buffers: ${before.arrayBuffers} → ${buffers} bytes`);
  });
});

interface FuzzRequest {
  readonly bytes: Buffer;
  /** Whose path the request targets, so whose envelope the answer must be in. */
  readonly dialect: "scf" | "fgs" | "iam";
}

const FGS_TARGETS = ["/v2", "/v2/", `/v2/${projectId}/fgs/functions`, `/v2/${projectId}/fgs/functions/urn%3Abad/config`, "/v2/%zz/fgs/functions", "/v2/%", "/v1.0/x/fss/functions/u/aliases/a", "/v3/nope", `/v2/${"a".repeat(5000)}`, "/v2/constructor", "/v2/__proto__/fgs/functions"];
const IAM_TARGETS = ["/v3/projects", "/v3/projects?name=constructor", "/v3/projects?name=%zz"];
const SCF_TARGETS = ["/", "/?Action=constructor&Version=2018-04-16", "/nope", "/%", "/%zz", "/a/../../etc/passwd", "//v2", `/${"b".repeat(3000)}`, "/\u00ff\u0001", "/?%", "/constructor", "/__proto__"];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BLAH", "get", "PROPFIND", "TRACE"];
const HEADERS = [
  "Content-Type: application/json", "Content-Type: ;;", "Content-Type: application/x-www-form-urlencoded", "Content-Length: -1", "Content-Length: abc",
  "Content-Length: 99999999999", "Transfer-Encoding: chunked", "Transfer-Encoding: gzip", "X-TC-Action: constructor", "X-TC-Action: __proto__",
  "X-TC-Version: 2018-04-16", "X-TC-Timestamp: 1", "Authorization: TC3-HMAC-SHA256 garbage", "Authorization: SDK-HMAC-SHA256 Access=x, SignedHeaders=host, Signature=0",
  "X-Auth-Token: nope", "X-Sdk-Date: 20200101T000000Z", "Bad Header", "X-Nul: \u0000", `X-Big: ${"c".repeat(60 * 1024)}`, "Expect: 100-continue", "Expect: teapot",
  "Connection: Upgrade", "Upgrade: websocket",
];
const BODIES = ["", "{}", "[]", "null", "42", '"s"', "{not json", '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', "a=b&Action=constructor", "\u0000\u00ff\u00fe", "5\r\nhello\r\n0\r\n\r\n", "zz\r\n", "x".repeat(70 * 1024)];

/** A request made of pieces that have broken servers before, mostly malformed on purpose. */
function fuzzRequest(random: () => number): FuzzRequest {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const roll = random();
  const dialect = roll < 0.45 ? "fgs" : roll < 0.5 ? "iam" : "scf";
  const target = pick(dialect === "fgs" ? FGS_TARGETS : dialect === "iam" ? IAM_TARGETS : SCF_TARGETS);
  const headers = ["Host: quiver", ...Array.from({ length: Math.floor(random() * 4) }, () => pick(HEADERS))];
  const body = pick(BODIES);
  if (random() < 0.5 && !headers.some((h) => /^(Content-Length|Transfer-Encoding)/.test(h))) headers.push(`Content-Length: ${Buffer.byteLength(body)}`);
  const version = random() < 0.9 ? "HTTP/1.1" : pick(["HTTP/1.0", "HTTP/9.9", "HTTP/1.1 extra"]);
  return { dialect, bytes: Buffer.from(`${pick(METHODS)} ${target} ${version}\r\n${headers.join("\r\n")}\r\n\r\n${body}`, "latin1") };
}

/** A small seeded generator, so a failing run can be replayed. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

void describe("a request that arrives while the server stops", { timeout: 60_000 }, () => {
  void it("is served in the vendor's envelope, and the connection closes after it", async () => {
    const server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    const socket = connect(server.port, "127.0.0.1");
    const received = new Promise<Exchange>((resolve) => collect(socket, performance.now(), resolve));
    // A request whose body is still arriving keeps the connection busy, so stopping cannot reap it.
    socket.write("POST /nope HTTP/1.1\r\nHost: q\r\nContent-Length: 2\r\n\r\n{");
    await new Promise<void>((resolve) => server.quiver.app.server.once("request", () => resolve()));
    const stopped = server.stop();
    socket.write("}GET /v3/nope HTTP/1.1\r\nHost: q\r\n\r\n");
    const result = await received;
    await stopped;
    assert.equal(result.responses.length, 2, result.bytes.toString("latin1"));
    assert.equal(scfErrorCode(result.responses[0]), "InvalidAction");
    assert.equal(fgsError(result.responses[1]), "404 FSS.0404");
    assert.equal(result.responses[1]?.headers["connection"], "close");
  });
});
