/**
 * The engine's link to a web function's server (src/runtime/web-link.ts), against servers in
 * this process: what `ServerLink.exchange` answers for each way a server can answer or fail,
 * and how often `ServerProcesses.rss` reads.
 */
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { after, before, describe, it, mock } from "../helpers/node-test.js";
import { hostConnect, ServerLink, ServerProcesses, type Exchange, type ServerRequest } from "../../src/runtime/web-link.js";

void describe("ServerProcesses.rss", () => {
  void it("reads at the first call, then answers that reading for 100 ms", async () => {
    let now = 1_000_000;
    const clock = mock.method(performance, "now", () => now);
    const procs = await ServerProcesses.find(process.pid, false);
    try {
      const first = procs.rss();
      assert.ok(first > 0);
      // 64 MiB more resident (zero-filled, so touched) while the reading is still fresh.
      const grown = Buffer.alloc(64 << 20, 1);
      now += 99;
      assert.equal(procs.rss(), first, "within 100 ms: the last reading");
      now += 1;
      assert.ok(procs.rss() > first + (32 << 20), "100 ms later: read again");
      assert.equal(grown.length, 64 << 20);
    } finally {
      clock.mock.restore();
      procs.close();
    }
  });
});

/** One request as a raw server read it off the wire. */
interface Seen {
  /** Which connection it came on, counting from 1. */
  readonly conn: number;
  /** Requests before it on that connection. */
  readonly index: number;
  /** The request line and header lines, as sent. */
  readonly head: string[];
  readonly body: Buffer;
}

/** What a raw server does with a request: answer these bytes; close the connection (FIN or reset) without answering; or answer 3 of 10 bytes, then close. */
type Act = string | Buffer | "end" | "reset" | "cut";

/**
 * A raw HTTP/1.1 server on 127.0.0.1 (no Node HTTP parser between the test and the bytes):
 * `act` decides each request's fate, and every request is kept in `seen`.
 */
class RawServer {
  readonly seen: Seen[] = [];
  act: (req: Seen) => Act = () => answer(200, [], "ok");
  readonly #server: Server;
  #conns = 0;
  readonly closed: number[] = [];

  constructor() {
    this.#server = createServer((sock) => this.#serve(sock));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return (this.#server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #serve(sock: Socket): void {
    const conn = ++this.#conns;
    let index = 0;
    let buf = Buffer.alloc(0);
    sock.on("error", () => undefined);
    sock.on("close", () => this.closed.push(conn));
    sock.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buf.subarray(0, end).toString("latin1").split("\r\n");
        const length = Number(/^content-length:\s*(\d+)$/im.exec(head.join("\n"))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const req: Seen = { conn, index: index++, head, body: buf.subarray(end + 4, end + 4 + length) };
        buf = buf.subarray(end + 4 + length);
        this.seen.push(req);
        const act = this.act(req);
        if (act === "end") sock.end();
        else if (act === "reset") sock.resetAndDestroy();
        else if (act === "cut") sock.end("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        else sock.write(act);
        if (act === "end" || act === "reset" || act === "cut") return;
      }
    });
  }
}

function answer(status: number, headers: readonly string[], body: string | Buffer): Buffer {
  const b = typeof body === "string" ? Buffer.from(body) : body;
  const lines = [`HTTP/1.1 ${status} X`, ...headers, `Content-Length: ${b.length}`];
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), b]);
}

function get(path = "/", headers: string[] = ["Host", "example.test"]): ServerRequest {
  return { method: "GET", path, headers, body: Buffer.alloc(0) };
}

function reply(e: Exchange): Extract<Exchange, { t: "reply" }> {
  assert.equal(e.t, "reply", JSON.stringify(e));
  return e as Extract<Exchange, { t: "reply" }>;
}

void describe("ServerLink.exchange", () => {
  const server = new RawServer();
  let port = 0;
  before(async () => {
    port = await server.listen();
  });
  after(() => server.close());
  const link = (maxBodyBytes = 1024): ServerLink => new ServerLink(hostConnect(port), maxBodyBytes);
  const fresh = (): void => {
    server.seen.length = 0;
    server.act = () => answer(200, [], "ok");
  };

  void it("sends the headers as given (order, case, one Content-Length, no framing of its own) and answers status, raw headers and body", async () => {
    fresh();
    server.act = () => answer(201, ["X-Custom: yes", "set-cookie: a=1", "Set-Cookie: b=2"], Buffer.from([0, 1, 255]));
    const l = link();
    try {
      const body = Buffer.from("hello");
      const r = reply(await l.exchange({ method: "POST", path: "/p?q=1", headers: ["Host", "example.test", "X-Mine", "Kept", "x-lower", "a", "X-Mine", "again", "Content-Length", "5"], body }));
      assert.equal(r.status, 201);
      assert.deepEqual(r.rawHeaders, ["X-Custom", "yes", "set-cookie", "a=1", "Set-Cookie", "b=2", "Content-Length", "3"]);
      assert.deepEqual(r.body, Buffer.from([0, 1, 255]));
      const [req] = server.seen;
      assert.equal(req?.head[0], "POST /p?q=1 HTTP/1.1");
      // Undici writes Host first and Content-Length last, in lower case; the rest as given.
      const names = req?.head.slice(1).map((l) => l.slice(0, l.indexOf(":")));
      assert.deepEqual(names?.filter((n) => n.toLowerCase() !== "connection"), ["host", "X-Mine", "x-lower", "X-Mine", "content-length"]);
      assert.ok(req?.head.includes("host: example.test"));
      assert.ok(!req?.head.some((h) => /^transfer-encoding:/i.test(h)));
      assert.deepEqual(req?.body, body);
      // A GET without a body is sent without one, and without a length.
      reply(await l.exchange(get("/g")));
      const g = server.seen[1];
      assert.equal(g?.head[0], "GET /g HTTP/1.1");
      assert.ok(!g?.head.some((h) => /^content-length:/i.test(h)), g?.head.join("|"));
      assert.equal(g?.conn, req?.conn, "over the same kept-alive connection");
    } finally {
      l.close();
    }
  });

  void it("a HEAD answer has no body and keeps its Content-Length; an informational answer before the final one is skipped", async () => {
    fresh();
    server.act = (req) => (req.head[0]?.startsWith("HEAD") ? "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n" : `HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n${answer(200, [], "final").toString("latin1")}`);
    const l = link();
    try {
      const head = reply(await l.exchange({ ...get(), method: "HEAD" }));
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      assert.deepEqual(head.rawHeaders, ["Content-Length", "1234"]);
      const hinted = reply(await l.exchange(get()));
      assert.equal(hinted.status, 200);
      assert.equal(hinted.body.toString(), "final");
    } finally {
      l.close();
    }
  });

  for (const how of ["end", "reset"] as const) {
    void it(`a kept-alive connection the server closed (${how === "end" ? "FIN" : "reset"}) when the request came is sent once more on a new one`, async () => {
      fresh();
      // The second request on the first connection meets it closed, as in the race.
      server.act = (req) => (req.conn === server.seen[0]?.conn && req.index === 1 ? how : answer(200, [], `conn ${req.conn}`));
      const l = link();
      try {
        const first = reply(await l.exchange(get()));
        const again = reply(await l.exchange(get()));
        assert.notEqual(again.body.toString(), first.body.toString(), "answered on a new connection");
        assert.equal(server.seen.length, 3, "the request was sent twice");
      } finally {
        l.close();
      }
    });
  }

  void it("is sent once more only once, and never when a new connection fails it", async () => {
    fresh();
    server.act = (req) => (req.index === 0 && server.seen.length === 1 ? answer(200, [], "first") : "end");
    const l = link();
    try {
      reply(await l.exchange(get()));
      const lost = await l.exchange(get());
      assert.equal(lost.t, "lost");
      assert.equal(server.seen.length, 3, "the first request, then the second twice");
      // On a new connection (the last one was closed): lost at the first try.
      const before = server.seen.length;
      assert.equal((await l.exchange(get())).t, "lost");
      assert.equal(server.seen.length, before + 1);
    } finally {
      l.close();
    }
  });

  void it("a connection cut mid-answer is lost, and the next request gets a new connection", async () => {
    fresh();
    server.act = (req) => (req.conn === server.seen[0]?.conn ? "cut" : answer(200, [], "next"));
    const l = link();
    try {
      assert.deepEqual(await l.exchange(get()), { t: "lost", message: "the connection closed before the answer was complete" });
      assert.equal(reply(await l.exchange(get())).body.toString(), "next");
      assert.equal(server.seen.length, 2, "not sent again: the server had answered");
    } finally {
      l.close();
    }
  });

  void it("response headers over 4 KiB are result-too-large, however they are counted; the next request gets a new connection", async () => {
    fresh();
    // 4000 bytes of names and values (under undici's count), 5000 with `: ` and CRLF (over the engine's).
    const many = Array.from({ length: 250 }, (_, i) => `X-${String(i).padStart(3, "0")}: ${"v".repeat(11)}`);
    server.act = (req) => (req.head[0]?.includes("/one") ? answer(200, [`X-Fat: ${"y".repeat(5000)}`], "x") : req.head[0]?.includes("/many") ? answer(200, many, "x") : answer(200, [], "fine"));
    const l = link();
    try {
      for (const path of ["/one", "/many"]) {
        const e = await l.exchange(get(path));
        assert.deepEqual(e, { t: "error", error: { kind: "result-too-large", message: "the response headers exceed 4096 bytes", stack: "" } }, path);
      }
      assert.equal(reply(await l.exchange(get())).body.toString(), "fine");
      assert.deepEqual(new Set(server.seen.map((s) => s.conn)).size, 3, "each answer over the limit dropped its connection");
    } finally {
      l.close();
    }
  });

  void it("a response body over the limit is result-too-large; the next request gets a new connection", async () => {
    fresh();
    server.act = (req) => (req.head[0]?.includes("/big") ? answer(200, [], Buffer.alloc(4000, 120)) : answer(200, [], "fine"));
    const l = link(1024);
    try {
      assert.deepEqual(await l.exchange(get("/big")), { t: "error", error: { kind: "result-too-large", message: "the response body exceeds the 1024-byte limit", stack: "" } });
      assert.equal(reply(await l.exchange(get())).body.toString(), "fine");
      assert.equal(new Set(server.seen.map((s) => s.conn)).size, 2);
    } finally {
      l.close();
    }
  });

  void it("a request its HTTP client refuses to send is the request's error, and the connection serves the next", async () => {
    fresh();
    const l = link();
    try {
      const e = await l.exchange(get("/", ["Host", "a", "Bad Name", "x"]));
      assert.equal(e.t, "error");
      assert.match(e.t === "error" ? e.error.message : "", /cannot be sent to the function's server/);
      assert.equal(server.seen.length, 0);
      reply(await l.exchange(get()));
    } finally {
      l.close();
    }
  });

  void it("close drops the connection: a request waiting for its answer is lost", async () => {
    fresh();
    let waiting!: () => void;
    const arrived = new Promise<void>((resolve) => (waiting = resolve));
    server.act = () => {
      waiting();
      return Buffer.alloc(0);
    };
    const l = link();
    const pending = l.exchange(get());
    await arrived;
    l.close();
    assert.equal((await pending).t, "lost");
  });
});
