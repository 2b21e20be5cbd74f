/**
 * Slow and partial bodies are closed in time: a client that dribbles its body (or its headers)
 * one byte at a time, and 16 clients that declare 64 MB and stall after 4 MB, are all cut off
 * within the server's request timeout; the partial bodies do not stay in memory, and the
 * server keeps answering. The server runs with small `--headers-timeout`/`--request-timeout`.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { tempDir } from "../helpers/accounts.js";
import { scfClient } from "../helpers/scf-client.js";
import { footprintOf, removeFootprints, removeInstanceState } from "./debris.js";
import { PLAN } from "./plan.js";
import { mb, rssSampler, settledRss } from "./rss.js";
import { ALICE, startServerChild, writeAccounts, type ServerChild } from "./server.js";

const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 2_000;
/** The server checks its timeouts periodically and the machine is shared: allow this much after the timeout. */
const MARGIN_MS = 2_000;
const DECLARED_BYTES = 64 * 1024 * 1024;
const SENT_BYTES = 4 * 1024 * 1024;
const DRIP_MS = 50;
/** The client closes a connection the server kept open this long (the test has failed by then). */
const GIVE_UP_MS = Math.max(HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS) + MARGIN_MS + 3_000;

interface Closed {
  /** Milliseconds from connecting until the server closed the connection; null if it never did. */
  readonly ms: number | null;
  /** The first line the server sent before closing, if any (e.g. "HTTP/1.1 408 Request Timeout"). */
  readonly statusLine: string;
}

/**
 * Connects, runs `feed` on the socket, and resolves when the server closes the connection. A
 * server that has not closed it after `giveUpMs` gets `ms: null`, and the client closes it, so
 * a failing server cannot leave the test hanging on open sockets.
 */
function untilClosed(port: number, giveUpMs: number, feed: (socket: Socket) => void): Promise<Closed> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    let head = "";
    let gaveUp = false;
    const timer = setTimeout(() => {
      gaveUp = true;
      socket.destroy();
    }, giveUpMs);
    socket.on("data", (chunk: Buffer) => {
      if (head.length < 200) head += chunk.toString("latin1");
    });
    socket.on("error", () => undefined); // a reset is a close too
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ ms: gaveUp ? null : Date.now() - started, statusLine: head.split("\r\n")[0] ?? "" });
    });
    socket.on("connect", () => feed(socket));
  });
}

const describeClose = (c: Closed): string => `${c.ms === null ? "still open" : `closed after ${c.ms} ms`} (${c.statusLine || "no answer"})`;
const inTime = (c: Closed, limit: number): boolean => c.ms !== null && c.ms <= limit;

/** Writes one byte every DRIP_MS until the socket is closed. */
function drip(socket: Socket, byte: string): void {
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) clearInterval(timer);
    else socket.write(byte);
  }, DRIP_MS);
  socket.on("close", () => clearInterval(timer));
}

const requestHead = (length: number): string => `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

void describe("slow and partial bodies are closed in time", () => {
  const dir = tempDir("quiver-rel-slow-");
  const dataDir = join(dir.path, "data");
  let server: ServerChild;

  before(
    async () => {
      server = await startServerChild({
        dataDir,
        accountsFile: writeAccounts(dir.path),
        // The flags take seconds.
        extraArgs: ["--headers-timeout", String(HEADERS_TIMEOUT_MS / 1000), "--request-timeout", String(REQUEST_TIMEOUT_MS / 1000), "--max-connections", "64"],
      });
    },
    { timeout: 60_000 },
  );
  after(async () => {
    const footprints = server ? footprintOf(server.pid) : [];
    await server?.stop();
    removeFootprints(footprints);
    removeInstanceState(dataDir);
    dir.remove();
  });

  void test(`a body sent one byte every ${DRIP_MS} ms is closed within the request timeout (${REQUEST_TIMEOUT_MS} ms)`, { timeout: GIVE_UP_MS + 10_000 }, async () => {
    const closed = await untilClosed(server.port, GIVE_UP_MS, (socket) => {
      socket.write(requestHead(100_000));
      drip(socket, " ");
    });
    assert.ok(inTime(closed, REQUEST_TIMEOUT_MS + MARGIN_MS), describeClose(closed));
  });

  void test(`headers sent one byte every ${DRIP_MS} ms are closed within the headers timeout (${HEADERS_TIMEOUT_MS} ms)`, { timeout: GIVE_UP_MS + 10_000 }, async () => {
    const closed = await untilClosed(server.port, GIVE_UP_MS, (socket) => {
      socket.write("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      drip(socket, "a");
    });
    assert.ok(inTime(closed, HEADERS_TIMEOUT_MS + MARGIN_MS), describeClose(closed));
  });

  void test(
    `${PLAN.stalledUploads} uploads declaring ${DECLARED_BYTES / 2 ** 20} MB that stall after ${SENT_BYTES / 2 ** 20} MB are all closed in time, without their size in memory`,
    { timeout: GIVE_UP_MS + 60_000 },
    async () => {
      const baseline = (await settledRss(server.pid, { deadlineMs: 20_000 })).rss;
      const sampler = rssSampler(server.pid);
      const chunk = Buffer.alloc(SENT_BYTES, "a");
      const closes = await Promise.all(
        Array.from({ length: PLAN.stalledUploads }, () =>
          untilClosed(server.port, GIVE_UP_MS, (socket) => {
            socket.write(requestHead(DECLARED_BYTES));
            socket.write(chunk);
          }),
        ),
      );
      sampler.stop();
      // Both properties are reported together: either one alone is a useful diagnosis.
      const problems: string[] = [];
      const late = closes.filter((c) => !inTime(c, REQUEST_TIMEOUT_MS + MARGIN_MS));
      if (late.length > 0) problems.push(`${late.length} of ${closes.length} stalled uploads were not closed within ${REQUEST_TIMEOUT_MS + MARGIN_MS} ms: ${late.map(describeClose).join("; ")}`);
      const sum = PLAN.stalledUploads * SENT_BYTES;
      const growth = sampler.peak() - baseline;
      if (growth >= sum / 2) problems.push(`RSS grew by ${mb(growth)} (baseline ${mb(baseline)}, peak ${mb(sampler.peak())}) while ${mb(sum)} of partial bodies were in flight`);
      assert.deepEqual(problems, []);
    },
  );

  void test("the server still answers afterwards: /healthz and a signed SCF call", { timeout: 30_000 }, async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    const listed = await scfClient({ endpoint: server.endpoint }, ALICE).ListFunctions({});
    assert.equal(listed.TotalCount, 0);
  });
});
