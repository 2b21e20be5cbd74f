/**
 * Web functions (SCF `Type: HTTP`, FunctionGraph HTTP functions) in the engine: the package's
 * bootstrap starts a server in the instance, and `forward` passes HTTP requests to it.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import { eventually } from "../helpers/eventually.js";
import { after, before, describe, it } from "../helpers/node-test.js";
import type { HandlerConvention, HttpExchange, HttpForwardOutcome, HttpForwardRequest } from "../../src/core/invoke.js";
import type { FunctionConfig } from "../../src/core/model.js";
import type { Engine } from "../../src/runtime/index.js";
import { fixture, type Fixture } from "./helpers.js";
import { ALICE } from "../helpers/accounts.js";
import { asyncInvoke, createFunction as createFgFunction, fgClient, invoke as fgInvoke, resultOf, sdkFailure, showConfig, urnOf, type fg as fgSdk } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createNodeFunction, expectScfError, REGION, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { buildZip } from "../helpers/zip.js";


const EXEC = 0o100755;

/**
 * A Node server (node:http only) that echoes what it received; `/slow`, `/hog`, `/big`, `/dial`,
 * `/cut`, `/reset`, `/close` and `/exit-after` misbehave on purpose.
 */
const NODE_SERVER = `
const http = require('node:http');
const net = require('node:net');
const startedAs = require('node:crypto').randomUUID();
console.log('server starting');
http.createServer((req, res) => {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    const body = Buffer.concat(parts);
    console.log('serving ' + req.method + ' ' + req.url);
    if (req.url === '/slow') return setTimeout(() => res.end('late'), 60000);
    if (req.url.startsWith('/wait')) return setTimeout(() => res.end(startedAs), 300);
    if (req.url === '/hog') { const a = []; const grow = () => { a.push(Buffer.alloc(16 << 20, 1)); setImmediate(grow); }; return grow(); }
    if (req.url === '/big') return res.end(Buffer.alloc(2 * 1024 * 1024, 120));
    if (req.url === '/cut') { res.writeHead(200, { 'Content-Length': '10' }); res.write('abc'); return setImmediate(() => req.socket.destroy()); }
    if (req.url === '/reset') return req.socket.destroy();
    if (req.url === '/close') { res.setHeader('Connection', 'close'); return res.end(startedAs); }
    if (req.url === '/exit-after') { res.end(startedAs); return setTimeout(() => process.exit(0), 50); }
    if (req.url === '/fat-headers') { res.setHeader('X-Fat', 'y'.repeat(5000)); return res.end('x'); }
    if (req.url.startsWith('/dial')) {
      const port = Number(new URL(req.url, 'http://x').searchParams.get('port'));
      const host = new URL(req.url, 'http://x').searchParams.get('host');
      const sock = net.connect({ host, port });
      sock.setTimeout(2000, () => { sock.destroy(); res.end('timeout'); });
      sock.once('connect', () => { sock.destroy(); res.end('connected'); });
      sock.once('error', (e) => res.end('refused ' + e.code));
      return;
    }
    res.statusCode = 201;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Custom', 'yes');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString('base64'), startedAs, port: process.env.PORT }));
  });
}).listen(Number(process.env.PORT || 9000), '0.0.0.0');
`;

/** A Python http.server app on 127.0.0.1:8000, as FunctionGraph documents. */
const PY_SERVER = `
import json, os
from http.server import BaseHTTPRequestHandler, HTTPServer

class Echo(BaseHTTPRequestHandler):
    def handle_one(self):
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n) if n else b''
        out = json.dumps({'method': self.command, 'path': self.path, 'headers': dict(self.headers), 'body': body.decode()}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    do_GET = handle_one
    do_POST = handle_one
    def log_message(self, fmt, *args):
        print('python served ' + self.path, flush=True)

print('python server on', os.environ.get('PORT'), flush=True)
HTTPServer(('127.0.0.1', int(os.environ.get('PORT', '8000'))), Echo).serve_forever()
`;

interface WebSpec {
  readonly sha: string;
  readonly convention?: HandlerConvention;
  readonly timeoutSec?: number;
  readonly memoryMb?: number;
  readonly key?: string;
}

function webRequest(s: WebSpec, exchange: Partial<HttpExchange> = {}): HttpForwardRequest {
  const convention = s.convention ?? "scf";
  const config: FunctionConfig = {
    runtime: { family: "nodejs", version: "18.15" },
    handler: "",
    memoryMb: s.memoryMb ?? 128,
    timeoutSec: s.timeoutSec ?? 5,
    description: "",
    environment: { GREETING: "hi" },
    type: "HTTP",
    extras: {},
  };
  return {
    target: {
      scope: { accountId: "acct", region: "ap-guangzhou" },
      namespace: "default",
      functionName: "web",
      functionId: "fid",
      version: "$LATEST",
      instanceKey: s.key ?? `${s.sha}/${convention}/${config.timeoutSec}/${config.memoryMb}`,
      code: { sha256: s.sha, sha512: "", size: 0, unzippedSize: 0, fileName: "" },
      config,
    },
    requestId: randomUUID(),
    convention,
    contextValues: convention === "scf" ? { appId: "1250000000", uin: "100000000001" } : { projectId: "proj1", package: "default" },
    exchange: { method: "GET", path: "/", headers: [["Host", "example.test"]], body: Buffer.alloc(0), ...exchange },
  };
}

function json(o: HttpForwardOutcome): { method: string; url: string; path: string; headers: Record<string, string>; body: string; startedAs: string; port: string } {
  assert.equal(o.error, null, JSON.stringify(o.error));
  assert.ok(o.reply);
  return JSON.parse(o.reply.body.toString()) as ReturnType<typeof json>;
}

function header(o: HttpForwardOutcome, name: string): string | undefined {
  return o.reply?.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

/** NODE_SERVER as an SCF web function's package. */
function nodeServerPackage(): Promise<Buffer> {
  return buildZip({ "scf_bootstrap": { content: "#!/bin/bash\nexec /var/lang/node18/bin/node server.js\n", mode: EXEC }, "server.js": { content: NODE_SERVER } });
}

void describe("web functions in the engine", () => {
  let f: Fixture;
  let engine: Engine;
  let node: string;
  before(async () => {
    f = await fixture();
    engine = f.engine({ maxResultBytes: 1024 * 1024, prewarm: { nodejs: 1, python: 0 } });
    node = await f.store(await nodeServerPackage());
  });
  after(() => engine.close());

  void it("forwards method, path, query, headers and body; answers status, headers and body", async () => {
    const body = Buffer.from([0, 1, 2, 255, 254]);
    const o = await engine.forward(webRequest({ sha: node }, {
      method: "POST",
      path: "/things/1?a=1&b=two",
      headers: [["Host", "example.test"], ["Content-Type", "application/octet-stream"], ["X-Scf-Request-Id", "forged"], ["X-Scf-Memory", "9999"], ["X-Cff-Whatever", "no"], ["X-Mine", "kept"], ["Connection", "close"], ["Expect", "100-continue"]],
      body,
    }));
    assert.equal(o.reply?.status, 201);
    assert.equal(header(o, "X-Custom"), "yes");
    assert.equal(header(o, "Content-Type"), "application/json");
    assert.equal(header(o, "Transfer-Encoding"), undefined, "framing headers are the front door's");
    const seen = json(o);
    assert.equal(seen.method, "POST");
    assert.equal(seen.url, "/things/1?a=1&b=two");
    assert.deepEqual(Buffer.from(seen.body, "base64"), body);
    assert.equal(seen.headers["x-mine"], "kept");
    assert.equal(seen.headers.expect, undefined, "the front door met the expectation; the body comes whole");
    assert.equal(seen.headers.host, "example.test");
    assert.equal(seen.headers["content-length"], "5");
    assert.equal(seen.headers["x-scf-request-id"], o.requestId, "the platform's request id, not the client's");
    assert.equal(seen.headers["x-scf-memory"], "128");
    assert.equal(seen.headers["x-scf-timeout"], "5");
    assert.equal(seen.headers["x-scf-version"], "$LATEST");
    assert.equal(seen.headers["x-scf-name"], "web");
    assert.equal(seen.headers["x-scf-namespace"], "default");
    assert.equal(seen.headers["x-scf-region"], "ap-guangzhou");
    assert.equal(seen.headers["x-scf-appid"], "1250000000");
    assert.equal(seen.headers["x-scf-uin"], "100000000001");
    assert.equal(seen.headers["x-cff-whatever"], undefined, "client headers in the platform's names are dropped");
    assert.equal(seen.port, "9000", "in a sandbox the server listens on the vendor's port");
    assert.match(o.log, /serving POST \/things\/1/);
    assert.ok(o.memoryUsedBytes > 0);
  });

  void it("serves the next request from the same warm instance", async () => {
    const a = json(await engine.forward(webRequest({ sha: node })));
    const b = json(await engine.forward(webRequest({ sha: node }, { path: "/again" })));
    assert.equal(a.startedAs, b.startedAs);
    assert.equal(b.url, "/again");
  });

  void it("runs a Python http.server app with FunctionGraph's bootstrap and headers", async () => {
    const sha = await f.store(await buildZip({
      // FunctionGraph's bootstrap is a command line, not necessarily executable, at the documented interpreter path.
      "bootstrap": { content: "/opt/function/runtime/python3.9/rtsp/python/bin/python3 -u $RUNTIME_CODE_ROOT/index.py\n" },
      "index.py": { content: PY_SERVER },
    }));
    const o = await engine.forward(webRequest({ sha, convention: "fgs" }, { method: "POST", path: "/py?x=1", headers: [["Content-Type", "text/plain"]], body: Buffer.from("hello python") }));
    const seen = json(o);
    assert.equal(seen.method, "POST");
    assert.equal(seen.path, "/py?x=1");
    assert.equal(seen.body, "hello python");
    assert.equal(seen.headers["X-CFF-Request-Id"], o.requestId);
    assert.equal(seen.headers["X-CFF-Func-Name"], "web");
    assert.equal(seen.headers["X-CFF-Func-Version"], "latest");
    assert.equal(seen.headers["X-CFF-Project-Id"], "proj1");
    assert.equal(seen.headers["X-CFF-Package"], "default");
    assert.equal(seen.headers["X-CFF-Memory"], "128");
    assert.equal(seen.headers["X-CFF-Timeout"], "5");
    assert.equal(seen.headers["X-CFF-Region"], "ap-guangzhou");
    assert.match(o.log, /python served \/py\?x=1/);
  });

  void it("a package with the other vendor's bootstrap still starts (created through one API, served through the other's trigger)", async () => {
    const seen = json(await engine.forward(webRequest({ sha: node, convention: "fgs" })));
    assert.equal(seen.port, "8000", "FunctionGraph's port, in PORT");
    assert.equal(seen.headers["x-cff-func-name"], "web");
  });

  void it("a request over the function's timeout kills the instance (timeout); the next one starts afresh", async () => {
    const spec = { sha: node, timeoutSec: 1 };
    const first = json(await engine.forward(webRequest(spec)));
    const o = await engine.forward(webRequest(spec, { path: "/slow" }));
    assert.equal(o.error?.kind, "timeout", JSON.stringify(o.error));
    assert.equal(o.reply, null);
    assert.match(o.log, /serving GET \/slow/);
    const next = json(await engine.forward(webRequest(spec)));
    assert.notEqual(next.startedAs, first.startedAs);
  });

  void it("a server that dies at start fails the request with runtime-start-failed and its output", async () => {
    const sha = await f.store(await buildZip({ "scf_bootstrap": { content: "#!/bin/sh\necho 'cannot find config' >&2\nexit 3\n", mode: EXEC } }));
    const o = await engine.forward(webRequest({ sha }));
    assert.equal(o.error?.kind, "runtime-start-failed");
    assert.match(o.error.message, /exited with code 3 before it listened on port 9000/);
    assert.match(o.log, /cannot find config/);
  });

  void it("a bootstrap that is missing or not executable fails the start and says why", async () => {
    const missing = await f.store(await buildZip({ "server.js": { content: NODE_SERVER } }));
    const a = await engine.forward(webRequest({ sha: missing }));
    assert.equal(a.error?.kind, "runtime-start-failed");
    assert.match(a.error.message, /no scf_bootstrap or bootstrap file/);
    const plain = await f.store(await buildZip({ "scf_bootstrap": { content: "#!/bin/sh\nexec node server.js\n" }, "server.js": { content: NODE_SERVER } }));
    const b = await engine.forward(webRequest({ sha: plain }));
    assert.equal(b.error?.kind, "runtime-start-failed");
    assert.match(b.error.message, /scf_bootstrap is not executable/);
  });

  void it("a server that never listens fails the start within the timeout", async () => {
    const sha = await f.store(await buildZip({ "scf_bootstrap": { content: "#!/bin/sh\necho waiting\nexec sleep 600\n", mode: EXEC } }));
    const o = await engine.forward(webRequest({ sha, timeoutSec: 1 }));
    assert.equal(o.error?.kind, "runtime-start-failed");
    assert.match(o.error.message, /did not accept connections within 1 s/);
    assert.match(o.log, /waiting/);
  });

  void it("a server over its memory is killed (memory)", async () => {
    const o = await engine.forward(webRequest({ sha: node, memoryMb: 64, timeoutSec: 20 }, { path: "/hog" }));
    assert.equal(o.error?.kind, "memory", JSON.stringify(o.error));
  });

  void it("answers over the limits are result-too-large: a body over the engine's limit, headers over 4 KB", async () => {
    const big = await engine.forward(webRequest({ sha: node }, { path: "/big" }));
    assert.equal(big.error?.kind, "result-too-large", JSON.stringify(big.error));
    const fat = await engine.forward(webRequest({ sha: node }, { path: "/fat-headers" }));
    assert.equal(fat.error?.kind, "result-too-large", JSON.stringify(fat.error));
    json(await engine.forward(webRequest({ sha: node })));
  });

  void it("a server that drops the connection mid-answer, or without answering, fails that request (user-error); the instance serves the next", async () => {
    const spec = { sha: node, key: `${node}/cuts` };
    const before = json(await engine.forward(webRequest(spec)));
    for (const path of ["/cut", "/reset"]) {
      const o = await engine.forward(webRequest(spec, { path }));
      assert.equal(o.error?.kind, "user-error", JSON.stringify(o.error));
      assert.match(o.error.message, /did not answer/);
      assert.match(o.log, new RegExp(`serving GET ${path}`));
    }
    const next = json(await engine.forward(webRequest(spec, { path: "/next" })));
    assert.equal(next.startedAs, before.startedAs, "the same server, over a new connection");
  });

  void it("a server that closes its connection after answering is reconnected to for the next request", async () => {
    const spec = { sha: node, key: `${node}/close` };
    const a = await engine.forward(webRequest(spec, { path: "/close" }));
    const b = await engine.forward(webRequest(spec, { path: "/close" }));
    assert.equal(a.error, null);
    assert.equal(b.reply?.body.toString(), a.reply?.body.toString());
    assert.equal(json(await engine.forward(webRequest(spec))).startedAs, a.reply?.body.toString());
  });

  void it("an instance whose server exits while idle (its connection still pooled) is replaced for the next request", async () => {
    // The server exits 50 ms after answering. An engine that freezes idle instances after its
    // default 100 ms would, on a loaded machine, freeze the server before it gets to exit (and
    // a frozen server exits only when thawed): this engine keeps idle instances running.
    const g = await fixture();
    const unfrozen = g.engine({ freezeAfterMs: 600_000 });
    try {
      const sha = await g.store(await nodeServerPackage());
      const spec = { sha, key: `${sha}/exits` };
      const first = await unfrozen.forward(webRequest(spec, { path: "/exit-after" }));
      assert.equal(first.error, null);
      await eventually(() => (unfrozen.stats().perKey[spec.key]?.instances ?? 0) === 0, { what: "the instance whose server exited is gone" });
      const next = json(await unfrozen.forward(webRequest(spec)));
      assert.notEqual(next.startedAs, first.reply?.body.toString());
    } finally {
      await unfrozen.close();
    }
  });

  void it("each request's log is what the server printed while serving it", async () => {
    const spec = { sha: node, key: `${node}/logs` };
    await engine.forward(webRequest(spec, { path: "/first" }));
    const o = await engine.forward(webRequest(spec, { path: "/second" }));
    assert.match(o.log, /serving GET \/second/);
    assert.doesNotMatch(o.log, /first|server starting/);
  });

  void it("concurrent requests are served by separate instances, one request each", async () => {
    const spec = { sha: node, key: `${node}/concurrent` };
    const [a, b] = await Promise.all([engine.forward(webRequest(spec, { path: "/wait1" })), engine.forward(webRequest(spec, { path: "/wait2" }))]);
    assert.equal(a.error, null);
    assert.equal(b.error, null);
    assert.notEqual(a.reply?.body.toString(), b.reply?.body.toString());
    assert.equal(engine.stats().perKey[spec.key]?.instances, 2);
  });

  void describe("isolation", () => {
    let host: Server;
    let hostPort = 0;
    before(async () => {
      host = createServer((s) => s.destroy());
      await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
      hostPort = (host.address() as { port: number }).port;
    });
    after(() => new Promise<void>((resolve) => host.close(() => resolve())));

    void it("a web function reaches neither the host's loopback (Quiver's port) nor another instance's server", async (t) => {
      if (engine.stats().isolation !== "sandbox") return t.skip("needs the sandbox isolation level");
      const other = json(await engine.forward(webRequest({ sha: node, key: `${node}/other` })));
      assert.equal(other.port, "9000");
      const o = await engine.forward(webRequest({ sha: node, key: `${node}/prober` }, { path: `/dial?host=127.0.0.1&port=${hostPort}` }));
      assert.match(o.reply?.body.toString() ?? "", /^refused ECONNREFUSED$/);
      // Port 9000 in an instance's own network namespace is its own server, never another instance's.
      const self = await engine.forward(webRequest({ sha: node, key: `${node}/prober` }, { path: "/dial?host=127.0.0.1&port=9000" }));
      assert.equal(self.reply?.body.toString(), "connected");
      const stats = engine.stats().perKey;
      assert.equal(stats[`${node}/other`]?.instances, 1);
      assert.equal(stats[`${node}/prober`]?.instances, 1);
      return undefined;
    });
  });
});

void describe("web functions without a sandbox (isolation none)", () => {
  void it("each instance's server gets a port of its own in PORT, and is killed with its instance", async () => {
    const f = await fixture();
    const warnings: string[] = [];
    const engine = f.engine({ isolation: "none", logger: { info() {}, warn: (_o: unknown, msg?: string) => warnings.push(msg ?? ""), error() {} } });
    let pids: number[] = [];
    try {
      const sha = await f.store(await buildZip({ "scf_bootstrap": { content: "#!/bin/sh\nexec node server.js\n", mode: EXEC }, "server.js": { content: NODE_SERVER.replace("startedAs, port", "startedAs, pid: process.pid, port") } }));
      const spec = { sha, key: `${sha}/none` };
      const [a, b] = await Promise.all([engine.forward(webRequest(spec, { path: "/wait1" })), engine.forward(webRequest(spec, { path: "/wait2" }))]);
      assert.equal(a.error, null, JSON.stringify(a.error));
      assert.equal(b.error, null, JSON.stringify(b.error));
      const x = json(await engine.forward(webRequest(spec)));
      assert.notEqual(x.port, "9000");
      assert.ok(Number(x.port) > 0);
      pids = [(JSON.parse((await engine.forward(webRequest(spec))).reply?.body.toString() ?? "{}") as { pid: number }).pid];
      assert.ok((pids[0] ?? 0) > 0);
      assert.equal(warnings.filter((w) => w.includes("free port in PORT")).length, 1, "warned once");
    } finally {
      await engine.close();
    }
    const gone = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    await eventually(() => pids.every(gone), { what: "the server died with its instance" });
  });
});

/** A server that answers which package it came from (`mark.txt`) and the version header it saw. */
const MARK_SERVER = `
const http = require('node:http');
const mark = require('node:fs').readFileSync(__dirname + '/mark.txt', 'utf8');
http.createServer((req, res) => res.end(JSON.stringify({ mark, version: req.headers['x-scf-version'] }))).listen(9000);
`;

async function markZip(mark: string, withBootstrap = true): Promise<string> {
  const files: Record<string, { content: string; mode?: number }> = { "server.js": { content: MARK_SERVER }, "mark.txt": { content: mark } };
  if (withBootstrap) files.scf_bootstrap = { content: "#!/bin/sh\nexec node server.js\n", mode: EXEC };
  return (await buildZip(files)).toString("base64");
}

void describe("web functions through the vendors' APIs and InvocationService.forward", () => {
  let server: TestQuiver;
  let scf: ScfClient;
  let fg: fgSdk.FunctionGraphClient;
  const scope = { accountId: ALICE.name, region: REGION };
  before(async () => {
    server = await startQuiver({ engine: { prewarm: { nodejs: 1, python: 0 } } });
    scf = scfClient(server);
    fg = fgClient(server.url ?? "");
  });
  after(() => server.stop());

  const forward = (name: string, qualifier: string): ReturnType<TestQuiver["quiver"]["invocations"]["forward"]> =>
    server.quiver.invocations.forward({
      function: { scope, namespace: "default", name },
      selector: { qualifier, headers: {}, routingKey: null, aliasLookup: "fallback" },
      convention: "scf",
      contextValues: { appId: "1250000000", uin: "100000000001" },
      exchange: { method: "GET", path: "/", headers: [], body: Buffer.alloc(0) },
    });
  const served = (r: Awaited<ReturnType<typeof forward>>): { mark: string; version: string } => {
    assert.equal(r.outcome.error, null, JSON.stringify(r.outcome.error));
    return JSON.parse(r.outcome.reply?.body.toString() ?? "") as { mark: string; version: string };
  };

  void it("SCF: a web function needs scf_bootstrap, refuses Invoke, and serves $LATEST, a version and an alias", async () => {
    const base = { FunctionName: "web", Runtime: "Nodejs18.15", Type: "HTTP" };
    await expectScfError(scf.CreateFunction({ ...base, Code: { ZipFile: await markZip("v1", false) } }), "InvalidParameterValue.Code");
    await scf.CreateFunction({ ...base, Code: { ZipFile: await markZip("v1") } });
    await expectScfError(scf.Invoke({ FunctionName: "web" }), "InvalidParameterValue.FunctionType");
    await expectScfError(scf.Invoke({ FunctionName: "web", InvocationType: "Event" }), "InvalidParameterValue.FunctionType");
    await scf.PublishVersion({ FunctionName: "web" });
    await expectScfError(scf.UpdateFunctionCode({ FunctionName: "web", ZipFile: await markZip("v2", false) }), "InvalidParameterValue.Code");
    await scf.UpdateFunctionCode({ FunctionName: "web", ZipFile: await markZip("v2") });
    await scf.CreateAlias({ FunctionName: "web", Name: "live", FunctionVersion: "1" });

    const latest = await forward("web", "$LATEST");
    assert.deepEqual(served(latest), { mark: "v2", version: "$LATEST" });
    assert.equal(latest.versionName, "$LATEST");
    const one = await forward("web", "1");
    assert.deepEqual(served(one), { mark: "v1", version: "1" });
    const live = await forward("web", "live");
    assert.deepEqual(served(live), { mark: "v1", version: "1" });
    assert.equal(live.versionName, "1");
    assert.equal(live.alias, "live");
  });

  void it("forward to a version that is an event function answers an error, never a throw", async () => {
    await createNodeFunction(scf, "event-fn");
    const r = await forward("event-fn", "$LATEST");
    assert.equal(r.outcome.reply, null);
    assert.match(r.outcome.error?.message ?? "", /is an event function, not a web function/);
  });

  void it("FunctionGraph: runtime http needs bootstrap; an invoke carries the request as an APIG event and answers APIG-shaped", async () => {
    const py = { "index.py": { content: PY_SERVER } };
    const noBootstrap = await sdkFailure(createFgFunction(fg, await buildZip(py), "webfg", { runtime: "http", handler: "bootstrap" }));
    assert.equal(noBootstrap.httpStatusCode, 400);
    assert.equal(noBootstrap.errorCode, "FSS.1011");
    const zip = await buildZip({ ...py, bootstrap: { content: "python3 -u $RUNTIME_CODE_ROOT/index.py\n" } });
    await createFgFunction(fg, zip, "webfg", { runtime: "http", handler: "bootstrap" });
    assert.equal((await showConfig(fg, urnOf("webfg")))["runtime"], "http");
    // Seen through SCF in FunctionGraph's region: a web function of a runtime SCF calls CustomRuntime.
    const viaScf = await scfClient(server, ALICE, { region: ALICE.huawei.region }).GetFunction({ FunctionName: "webfg" });
    assert.deepEqual([viaScf.Type, viaScf.Runtime], ["HTTP", "CustomRuntime"]);
    // And an SCF web function is an HTTP function to FunctionGraph.
    await scfClient(server, ALICE, { region: ALICE.huawei.region }).CreateFunction({ FunctionName: "webscf", Runtime: "Nodejs18.15", Type: "HTTP", Code: { ZipFile: await markZip("v1") } });
    assert.equal((await showConfig(fg, urnOf("webscf")))["runtime"], "http");
    const event = { httpMethod: "POST", path: "/p", queryStringParameters: { a: "1" }, headers: { "content-type": "text/plain" }, body: Buffer.from("hi").toString("base64"), isBase64Encoded: true };
    const result = resultOf(await fgInvoke(fg, urnOf("webfg"), event));
    assert.equal(result["statusCode"], 200);
    assert.equal(result["isBase64Encoded"], true);
    assert.deepEqual((result["headers"] as Record<string, string[]>)["Content-Type"], ["application/json"]);
    const seen = JSON.parse(Buffer.from(String(result["body"]), "base64").toString()) as { method: string; path: string; body: string };
    assert.deepEqual([seen.method, seen.path, seen.body], ["POST", "/p?a=1", "hi"]);
    const refusedAsync = await sdkFailure(asyncInvoke(fg, urnOf("webfg"), event));
    assert.equal(refusedAsync.httpStatusCode, 400);
    assert.equal(refusedAsync.errorCode, "FSS.0400");
  });
});
