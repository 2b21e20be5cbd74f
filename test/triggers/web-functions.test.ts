/**
 * Web functions behind trigger URLs (SCF `Type: HTTP` behind a function URL, a FunctionGraph HTTP
 * function behind an APIG trigger, both made through the official SDKs): the request reaches the
 * function's own server as sent, below the trigger's URL (SCF) or as the API path (APIG), and its
 * answer comes back as it is, with the request id and the version that served.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { createFunction as createFgFunction, fgClient, urnOf } from "../helpers/fgs-sdk.js";
import { createApigTrigger, eventDataOf } from "../helpers/fgs-triggers.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { scfClient, type ScfClient } from "../helpers/scf-client.js";
import { createHttpTrigger, scfTriggerUrl } from "../helpers/triggers.js";
import { zipBase64 } from "../helpers/zip.js";


/** A node:http server that echoes the request; `/slow` never answers in time. */
const NODE_SERVER = `
require('node:http').createServer((req, res) => {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    if (req.url === '/slow') return setTimeout(() => res.end('late'), 60000);
    res.statusCode = 207;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Method', req.method);
    res.setHeader('X-Scf-Request-Id', 'forged-by-the-server');
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(parts).toString('base64') }));
  });
}).listen(9000, '0.0.0.0');
`;

const PY_SERVER = `
import json
from http.server import BaseHTTPRequestHandler, HTTPServer

class Echo(BaseHTTPRequestHandler):
    def answer(self):
        out = json.dumps({'path': self.path, 'python': True}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(out)))
        self.end_headers()
        return out
    def do_GET(self):
        self.wfile.write(self.answer())
    def do_HEAD(self):
        self.answer()
    def log_message(self, fmt, *args):
        pass

HTTPServer(('0.0.0.0', 9000), Echo).serve_forever()
`;

/** A FunctionGraph HTTP function's server: 127.0.0.1:8000, as FunctionGraph documents; echoes the request. */
const FG_SERVER = `
require('node:http').createServer((req, res) => {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    res.statusCode = 202;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-From-Server', 'fg');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(parts).toString('base64') }));
  });
}).listen(8000, '127.0.0.1');
`;

/** A web function that answers which package it came from and the version header it was sent. */
const MARK_SERVER = `
const mark = require('node:fs').readFileSync(__dirname + '/mark.txt', 'utf8');
require('node:http').createServer((req, res) => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ mark, version: req.headers['x-scf-version'] }));
}).listen(9000);
`;

const markZip = (mark: string): Promise<string> =>
  zipBase64({ scf_bootstrap: { content: "#!/bin/sh\nexec node server.js\n", mode: 0o100755 }, "server.js": { content: MARK_SERVER }, "mark.txt": { content: mark } });

type Seen = { method: string; url: string; headers: Record<string, string>; body: string };

describe("web functions behind trigger URLs", () => {
  let server: TestQuiver;
  let scf: ScfClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    scf = scfClient(server);
    await scf.CreateFunction({
      FunctionName: "site",
      Type: "HTTP",
      Runtime: "Nodejs18.15",
      Timeout: 3,
      Code: { ZipFile: await zipBase64({ scf_bootstrap: { content: "#!/bin/bash\nexec /var/lang/node18/bin/node server.js\n", mode: 0o100755 }, "server.js": { content: NODE_SERVER } }) },
    });
    await createHttpTrigger(server, { account: ALICE, functionName: "site", name: "url" });
  });
  after(async () => {
    await server.stop();
  });

  it("forwards method, the path below the trigger URL, query, headers and a binary body; answers as the server did", async () => {
    const body = Buffer.from([0, 1, 2, 253, 254, 255]);
    const response = await fetch(`${scfTriggerUrl(server, ALICE, "site", "url")}/pages/a%20b?x=1&y=2`, { method: "POST", headers: { "content-type": "application/octet-stream", "x-mine": "kept" }, body });
    assert.equal(response.status, 207);
    assert.deepEqual(response.headers.getSetCookie(), ["a=1", "b=2"]);
    const requestId = response.headers.get("x-scf-request-id");
    assert.match(requestId ?? "", /^[0-9a-f-]{36}$/, "the platform's request id replaces the one the server sent");
    assert.equal(response.headers.get("x-scf-version"), "$LATEST");
    const seen = (await response.json()) as Seen;
    assert.equal(seen.method, "POST");
    assert.equal(seen.url, "/pages/a%20b?x=1&y=2");
    assert.deepEqual(Buffer.from(seen.body, "base64"), body);
    assert.equal(seen.headers["x-mine"], "kept");
    assert.equal(seen.headers["x-scf-request-id"], requestId, "the server sees the request id the answer names");
  });

  it("the trigger URL itself is the server's /", async () => {
    const seen = (await (await fetch(scfTriggerUrl(server, ALICE, "site", "url"))).json()) as Seen;
    assert.equal(seen.url, "/");
    assert.equal(seen.method, "GET");
  });

  it("a server that does not answer within the function's timeout is a 504", async () => {
    const response = await fetch(`${scfTriggerUrl(server, ALICE, "site", "url")}/slow`);
    assert.equal(response.status, 504);
    assert.equal(((await response.json()) as { errno: number }).errno, 433);
  });

  it("a Python http.server app serves through its function URL", async () => {
    await scf.CreateFunction({
      FunctionName: "pysite",
      Type: "HTTP",
      Runtime: "Python3.9",
      Code: { ZipFile: await zipBase64({ scf_bootstrap: { content: "#!/bin/bash\nexec /var/lang/python39/bin/python3.9 -u app.py\n", mode: 0o100755 }, "app.py": { content: PY_SERVER } }) },
    });
    await createHttpTrigger(server, { account: ALICE, functionName: "pysite", name: "url" });
    const response = await fetch(`${scfTriggerUrl(server, ALICE, "pysite", "url")}/hello?q=1`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { path: "/hello?q=1", python: true });
    const length = response.headers.get("content-length");
    const head = await fetch(`${scfTriggerUrl(server, ALICE, "pysite", "url")}/hello?q=1`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), length, "HEAD names the size of the GET's body, as the server said");
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });

  it("HEAD reaches the server and answers its status and headers without a body", async () => {
    const response = await fetch(`${scfTriggerUrl(server, ALICE, "site", "url")}/page`, { method: "HEAD" });
    assert.equal(response.status, 207);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal(response.headers.get("x-method"), "HEAD", "the server was asked with HEAD");
    assert.ok(response.headers.get("x-scf-request-id"));
    assert.equal((await response.arrayBuffer()).byteLength, 0);
  });

  it("behind a weighted alias, each request is served by the version the split picks, named in X-Scf-Version", async () => {
    await scf.CreateFunction({ FunctionName: "canary-site", Type: "HTTP", Runtime: "Nodejs18.15", Code: { ZipFile: await markZip("one") } });
    await scf.PublishVersion({ FunctionName: "canary-site" });
    await scf.UpdateFunctionCode({ FunctionName: "canary-site", ZipFile: await markZip("two") });
    await scf.PublishVersion({ FunctionName: "canary-site" });
    await scf.CreateAlias({ FunctionName: "canary-site", Name: "canary", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [{ Version: "2", Weight: 0.5 }] } });
    await createHttpTrigger(server, { account: ALICE, functionName: "canary-site", name: "url", qualifier: "canary" });
    const served: string[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await fetch(scfTriggerUrl(server, ALICE, "canary-site", "url"));
      assert.equal(response.status, 200);
      const version = response.headers.get("x-scf-version") ?? "";
      const seen = (await response.json()) as { mark: string; version: string };
      assert.equal(seen.mark, version === "1" ? "one" : "two", `version ${version} served ${seen.mark}`);
      assert.equal(seen.version, version, "the server was told the version the answer names");
      served.push(version);
    }
    assert.deepEqual([served.filter((v) => v === "1").length, served.filter((v) => v === "2").length], [5, 5], served.join(","));
  });

  it("a FunctionGraph HTTP function made through the Huawei SDK serves at its APIG trigger's invoke_url with FunctionGraph's headers", async () => {
    const fg = fgClient(server.url);
    const zip = Buffer.from(await zipBase64({ bootstrap: { content: "/opt/function/runtime/nodejs18.15/rtsp/nodejs/bin/node $RUNTIME_CODE_ROOT/server.js\n" }, "server.js": { content: FG_SERVER } }), "base64");
    await createFgFunction(fg, zip, "fgsite", { runtime: "http", handler: "bootstrap", timeout: 10 });
    const made = await createApigTrigger(fg, urnOf("fgsite"), { name: "shop", path: "/shop", timeout: 5000 });
    const invokeUrl = String(eventDataOf(made)["invoke_url"]);
    assert.equal(invokeUrl, server.quiver.triggerUrls.apig(ALICE.huawei.projectId, "/shop"));

    const body = Buffer.from([255, 0, 128, 7, 10, 13]);
    const response = await fetch(`${invokeUrl}/items/7?x=1&y=a%20b`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", "x-mine": "kept", "X-CFF-Request-Id": "forged" },
      body,
    });
    assert.equal(response.status, 202);
    assert.equal(response.headers.get("x-from-server"), "fg");
    const requestId = response.headers.get("x-request-id");
    assert.ok(requestId);
    assert.equal(response.headers.get("x-cff-request-id"), requestId);
    assert.equal(response.headers.get("x-cff-function-version"), "latest");
    const seen = (await response.json()) as Seen;
    assert.equal(seen.method, "POST");
    assert.equal(seen.url, "/shop/items/7?x=1&y=a%20b", "the API path as sent, with its query");
    assert.deepEqual(Buffer.from(seen.body, "base64"), body);
    assert.equal(seen.headers["x-mine"], "kept");
    assert.equal(seen.headers["x-cff-request-id"], requestId, "the platform's request id, not the client's");
    assert.equal(seen.headers["x-cff-func-name"], "fgsite");
    assert.equal(seen.headers["x-cff-func-version"], "latest");
    assert.equal(seen.headers["x-cff-package"], "default");
    assert.equal(seen.headers["x-cff-project-id"], ALICE.huawei.projectId);
    assert.equal(seen.headers["x-cff-region"], ALICE.huawei.region);
    assert.equal(seen.headers["x-cff-memory"], "256");
    assert.equal(seen.headers["x-cff-timeout"], "10");
    assert.equal(seen.headers["x-scf-request-id"], undefined, "FunctionGraph's headers, not SCF's");
  });
});
