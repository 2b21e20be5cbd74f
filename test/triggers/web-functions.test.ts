/**
 * Web functions (SCF `Type: HTTP`) behind a function URL: the request reaches the function's own
 * server as sent, below the trigger's URL, and its answer comes back as it is, with the request
 * id and the version that served.
 */
import assert from "node:assert/strict";
import yazl from "yazl";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { scfClient, type ScfClient } from "../helpers/scf-client.js";
import { createHttpTrigger, scfTriggerUrl } from "../helpers/triggers.js";

/** A zip whose entries have Unix modes (`scf_bootstrap` must be executable). */
function zipWithModes(files: Record<string, { content: string; mode?: number }>): Promise<string> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, f] of Object.entries(files)) zip.addBuffer(Buffer.from(f.content), name, { mtime: new Date(2024, 0, 1), mode: f.mode ?? 0o100644 });
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("error", reject);
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks).toString("base64")));
  });
}

/** A node:http server that echoes the request; `/slow` never answers in time. */
const NODE_SERVER = `
require('node:http').createServer((req, res) => {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    if (req.url === '/slow') return setTimeout(() => res.end('late'), 60000);
    res.statusCode = 207;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(parts).toString('base64') }));
  });
}).listen(9000, '0.0.0.0');
`;

const PY_SERVER = `
import json
from http.server import BaseHTTPRequestHandler, HTTPServer

class Echo(BaseHTTPRequestHandler):
    def do_GET(self):
        out = json.dumps({'path': self.path, 'python': True}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    def log_message(self, fmt, *args):
        pass

HTTPServer(('0.0.0.0', 9000), Echo).serve_forever()
`;

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
      Code: { ZipFile: await zipWithModes({ scf_bootstrap: { content: "#!/bin/bash\nexec /var/lang/node18/bin/node server.js\n", mode: 0o100755 }, "server.js": { content: NODE_SERVER } }) },
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
    assert.ok(requestId);
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
      Code: { ZipFile: await zipWithModes({ scf_bootstrap: { content: "#!/bin/bash\nexec /var/lang/python39/bin/python3.9 -u app.py\n", mode: 0o100755 }, "app.py": { content: PY_SERVER } }) },
    });
    await createHttpTrigger(server, { account: ALICE, functionName: "pysite", name: "url" });
    const response = await fetch(`${scfTriggerUrl(server, ALICE, "pysite", "url")}/hello?q=1`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { path: "/hello?q=1", python: true });
  });
});
