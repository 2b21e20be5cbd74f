/**
 * Time and size limits at the HTTP layer: a client that sends slowly is answered and cut off at
 * the configured timeout, connections over the cap are closed, and a body over the limit is
 * refused before it is read (Content-Length) or as soon as it crosses the limit (chunked),
 * without the server holding the rest in memory. None of it may cut a long invocation short.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { gc, settledMemory } from "../helpers/memory.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { collect, exchange, type Exchange, fgsError, scfErrorCode } from "../helpers/raw-http.js";
import { scfClient } from "../helpers/scf-client.js";
import { buildZip } from "../helpers/zip.js";

const HEADERS_TIMEOUT_MS = 200;
const REQUEST_TIMEOUT_MS = 500;
const BODY_LIMIT = 256 * 1024;

/** Opens a connection, writes `data`, leaves it open, and resolves with what came back once the server closed it. */
function sendAndWaitForClose(port: number, data: string | Buffer): Promise<Exchange> {
  return exchange(port, data, { end: false });
}

void describe("HTTP time and size limits", { timeout: 120_000 }, () => {
  let server: TestQuiver;
  let port: number;

  before(async () => {
    server = await startQuiver({
      rateLimits: { enabled: false },
      limits: { maxBodyBytes: BODY_LIMIT },
      http: { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS, keepAliveTimeoutMs: 300 },
    });
    port = Number(new URL(server.url).port);
  });
  after(async () => server.stop());

  void it("a body sent too slowly is answered in the vendor's envelope and cut off at the request timeout", async () => {
    const scf = await sendAndWaitForClose(port, "POST / HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"Fun");
    assert.equal(scfErrorCode(scf.responses[0]), "InvalidRequest");
    assert.match(scf.responses[0]?.body ?? "", /not received in full within 0.5 s/);
    assert.ok(scf.closedAfterMs >= REQUEST_TIMEOUT_MS - 50, `closed after ${scf.closedAfterMs} ms, before the timeout`);
    assert.ok(scf.closedAfterMs < REQUEST_TIMEOUT_MS + 2_500, `closed after ${scf.closedAfterMs} ms`);

    const fgs = await sendAndWaitForClose(port, "PUT /v2/p/fgs/functions/urn/config HTTP/1.1\r\nHost: q\r\nContent-Length: 1000\r\n\r\n{");
    assert.equal(fgsError(fgs.responses[0]), "408 FSS.0408");
  });

  void it("headers sent too slowly, or none at all, are cut off at the headers timeout", async () => {
    for (const partial of ["POST / HTTP/1.1\r\nHost: q\r\nX-Slow: ", ""]) {
      const result = await sendAndWaitForClose(port, partial);
      assert.equal(scfErrorCode(result.responses[0]), "InvalidRequest", JSON.stringify(partial));
      assert.match(result.responses[0]?.body ?? "", /headers were not received within 0.2 s/);
      assert.ok(result.closedAfterMs < REQUEST_TIMEOUT_MS + 2_500, `closed after ${result.closedAfterMs} ms`);
    }
  });

  void it("an idle keep-alive connection is closed after the keep-alive timeout", async () => {
    const result = await sendAndWaitForClose(port, "GET /nope HTTP/1.1\r\nHost: q\r\n\r\n");
    assert.equal(result.responses.length, 1);
    assert.equal(scfErrorCode(result.responses[0]), "InvalidAction");
    assert.equal(result.error, undefined);
    assert.ok(result.closedAfterMs >= 300 - 50, `closed after ${result.closedAfterMs} ms, before the keep-alive timeout`);
  });

  void it("a Content-Length over the limit is refused before a byte of the body is sent", async () => {
    const scf = await sendAndWaitForClose(port, "POST / HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n");
    assert.equal(scfErrorCode(scf.responses[0]), "RequestSizeLimitExceeded");
    assert.match(scf.responses[0]?.body ?? "", new RegExp(`at most ${BODY_LIMIT} bytes`));
    assert.ok(scf.closedAfterMs < REQUEST_TIMEOUT_MS, `answered after ${scf.closedAfterMs} ms: it waited for the body`);
    const fgs = await sendAndWaitForClose(port, "POST /v2/p/fgs/functions HTTP/1.1\r\nHost: q\r\nContent-Length: 10737418240\r\n\r\n");
    assert.equal(fgsError(fgs.responses[0]), "413 FSS.0413");
  });

  void it("a chunked body is aborted when it crosses the limit, and the server does not hold the rest", async () => {
    const total = 256 * 1024 * 1024;
    const before = process.memoryUsage();
    const upload = await streamChunked(port, total);
    const afterUpload = process.memoryUsage();
    assert.ok(upload.sent < total, "the server took the whole body");
    assert.ok(upload.sent < 64 * 1024 * 1024, `the server read ${upload.sent} bytes of a body limited to ${BODY_LIMIT}`);
    if (upload.result.responses.length > 0) assert.equal(scfErrorCode(upload.result.responses[0]), "RequestSizeLimitExceeded");
    // The server runs in this process: what it buffered shows here. Generous: an eighth of the body.
    assert.ok(afterUpload.rss - before.rss < total / 8, `RSS grew by ${Math.round((afterUpload.rss - before.rss) / 1e6)} MB`);
    assert.ok(afterUpload.arrayBuffers - before.arrayBuffers < total / 8, `array buffers grew by ${Math.round((afterUpload.arrayBuffers - before.arrayBuffers) / 1e6)} MB`);
  });
});

void describe("bodies cut off at the request timeout", { timeout: 120_000 }, () => {
  let server: TestQuiver;
  let port: number;
  let openOnServer = 0;
  let whenServerIdle: (() => void) | undefined;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false }, limits: { maxBodyBytes: 32 * 1024 * 1024 }, http: { headersTimeoutMs: 1_000, requestTimeoutMs: 1_500 } });
    port = Number(new URL(server.url).port);
    // Counted, not kept: holding the server's sockets would hold what they carried.
    server.quiver.app.server.on("connection", (socket: Socket) => {
      openOnServer += 1;
      socket.once("close", () => {
        openOnServer -= 1;
        if (openOnServer === 0) whenServerIdle?.();
      });
    });
  });
  after(async () => server.stop());

  void it("concurrent partial bodies are answered at the timeout and leave no memory behind", async () => {
    gc();
    const before = process.memoryUsage();
    const results = await sendHalfBodies(port, 8, 16 * 1024 * 1024);
    results.forEach((result, i) => {
      if (i % 2) assert.equal(scfErrorCode(result.responses[0]), "InvalidRequest");
      else assert.equal(fgsError(result.responses[0]), "408 FSS.0408");
    });
    // The client may see its close first: wait for the server's side to close too.
    if (openOnServer > 0) await new Promise<void>((resolve) => (whenServerIdle = resolve));
    const buffersLimit = before.arrayBuffers * 1.2 + 2 * 1024 * 1024;
    const buffers = await settledMemory(() => process.memoryUsage().arrayBuffers, buffersLimit);
    assert.ok(buffers <= buffersLimit, `array buffers: ${before.arrayBuffers} → ${buffers}, with 64 MB sent`);
    const heap = await settledMemory(() => process.memoryUsage().heapUsed, before.heapUsed * 1.2);
    assert.ok(heap <= before.heapUsed * 1.2, `heap: ${before.heapUsed} → ${heap}`);
  });
});

/** `count` connections at once, alternately to SCF and FunctionGraph, each sending half of an announced `length`-byte body. */
async function sendHalfBodies(port: number, count: number, length: number): Promise<Exchange[]> {
  const half = Buffer.alloc(length / 2, "x");
  const head = (i: number): Buffer => Buffer.from(`POST ${i % 2 ? "/" : "/v2/p/fgs/functions"} HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`);
  return Promise.all(Array.from({ length: count }, (_, i) => sendAndWaitForClose(port, Buffer.concat([head(i), half]))));
}

void describe("the connection cap", { timeout: 60_000 }, () => {
  let server: TestQuiver;
  let port: number;
  const serverSockets: Socket[] = [];

  before(async () => {
    server = await startQuiver({ http: { maxConnections: 2 } });
    port = Number(new URL(server.url).port);
    server.quiver.app.server.on("connection", (socket: Socket) => serverSockets.push(socket));
  });
  after(async () => server.stop());

  void it("connections over the cap are closed on arrival; a freed place is taken again", async () => {
    const first = await keptAlive(port);
    const second = await keptAlive(port);
    const refused = await exchange(port, "GET /nope HTTP/1.1\r\nHost: q\r\n\r\n");
    assert.equal(refused.responses.length, 0, "a third connection was served");
    assert.equal(serverSockets.length, 2, "the server took a third connection");

    const firstOnServer = serverSockets[0];
    assert.ok(firstOnServer);
    const serverSideClosed = new Promise((resolve) => firstOnServer.once("close", resolve));
    first.end();
    await serverSideClosed;
    const again = await exchange(port, "GET /nope HTTP/1.1\r\nHost: q\r\nConnection: close\r\n\r\n");
    assert.equal(scfErrorCode(again.responses[0]), "InvalidAction");
    second.destroy();
  });
});

void describe("the request timeout does not bound the answer", { timeout: 120_000 }, () => {
  let server: TestQuiver;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false }, http: { headersTimeoutMs: 100, requestTimeoutMs: 200 } });
  });
  after(async () => server.stop());

  void it("a synchronous invoke that runs far longer than the request timeout returns its result", async () => {
    const scf = scfClient(server, ALICE);
    const zip = await buildZip({ "index.js": "exports.main_handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return 'slept'; };\n" });
    await scf.CreateFunction({ FunctionName: "sleeper", Runtime: "Nodejs18.15", Handler: "index.main_handler", Timeout: 10, Code: { ZipFile: zip.toString("base64") } });
    const { Result } = await scf.Invoke({ FunctionName: "sleeper" });
    assert.equal(Result?.RetMsg, "slept", JSON.stringify(Result));
    assert.ok((Result?.Duration ?? 0) >= 1500, `ran ${Result?.Duration} ms`);
  });
});

/** A connection that has been served once and stays open (keep-alive). */
function keptAlive(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write("GET /nope HTTP/1.1\r\nHost: q\r\n\r\n"));
    socket.once("data", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Streams a chunked body of `total` bytes (the same 64 KB chunk over and over) until done or cut off. */
function streamChunked(port: number, total: number): Promise<{ sent: number; result: Exchange }> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, "a");
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
    let sent = 0;
    const socket = connect(port, "127.0.0.1");
    collect(socket, performance.now(), (result) => resolve({ sent, result }));
    socket.write("POST / HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    const pump = (): void => {
      while (sent < total && socket.writable) {
        sent += chunk.length;
        if (!socket.write(frame)) {
          socket.once("drain", pump);
          return;
        }
      }
      if (socket.writable) socket.end("0\r\n\r\n");
    };
    pump();
  });
}

