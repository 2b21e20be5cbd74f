import { spawn } from "node:child_process";
import { childEnv } from "./baselines.js";

/**
 * Floors for the HTTP-trigger targets: what the least any design with Quiver's shape pays, run
 * in the same bench on the same cores, so a missed target can be read against what is possible.
 *
 * - The process relay: a Node HTTP server that hands each request's body to one of N child
 *   processes over a pipe (a JSON line out, a JSON line back) and answers with what came back,
 *   one request in flight per child. That is the shape of every event function invocation (an
 *   instance is a process, and it serves one request at a time) with nothing else: no routing,
 *   no sandbox, no records, no event built.
 * - The reverse proxy: a Node HTTP server that forwards each request to a server over a
 *   keep-alive connection (Node's http.request) and relays the answer. A web function's URL is
 *   at least this (Quiver, in front of a server in a sandbox it cannot share a socket with).
 */

const RELAY_CHILD = `
const net = require("node:net");
const pipe = new net.Socket({ fd: 3, readable: true, writable: true });
let buffered = "";
pipe.on("data", (chunk) => {
  buffered += chunk;
  let end;
  while ((end = buffered.indexOf("\\n")) >= 0) {
    const message = JSON.parse(buffered.slice(0, end));
    buffered = buffered.slice(end + 1);
    pipe.write(JSON.stringify({ id: message.id, result: message.body }) + "\\n");
  }
});
`;

const RELAY_SERVER = `
const http = require("node:http");
const { spawn } = require("node:child_process");
const children = Number(process.env.CHILDREN);
const idle = [];
const waiting = [];
const pending = new Map();
let nextId = 0;
const release = (child) => { const next = waiting.shift(); if (next) next(child); else idle.push(child); };
for (let i = 0; i < children; i += 1) {
  const proc = spawn(process.execPath, ["-e", process.env.RELAY_CHILD], { stdio: ["ignore", "inherit", "inherit", "pipe"] });
  const child = { pipe: proc.stdio[3] };
  let buffered = "";
  child.pipe.on("data", (chunk) => {
    buffered += chunk;
    let end;
    while ((end = buffered.indexOf("\\n")) >= 0) {
      const message = JSON.parse(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
      const answer = pending.get(message.id);
      pending.delete(message.id);
      release(child);
      answer(message.result);
    }
  });
  idle.push(child);
}
const acquire = () => { const child = idle.pop(); return child ? Promise.resolve(child) : new Promise((resolve) => waiting.push(resolve)); };
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    const child = await acquire();
    const id = nextId++;
    pending.set(id, (result) => { res.setHeader("content-type", "application/json"); res.end(result); });
    child.pipe.write(JSON.stringify({ id, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }) + "\\n");
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

const REVERSE_PROXY = `
const http = require("node:http");
const agent = new http.Agent({ keepAlive: true });
const upstream = Number(process.env.UPSTREAM);
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const out = http.request({ host: "127.0.0.1", port: upstream, method: req.method, path: req.url, agent, headers: { ...req.headers, "content-length": String(body.length) } }, (answer) => {
      const parts = [];
      answer.on("data", (c) => parts.push(c));
      answer.on("end", () => { res.writeHead(answer.statusCode, answer.headers); res.end(Buffer.concat(parts)); });
    });
    out.end(body);
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

export interface FloorServer {
  readonly port: number;
  stop(): void;
}

function startScript(source: string, env: Record<string, string>): Promise<FloorServer> {
  const child = spawn(process.execPath, ["-e", source], { env: { ...childEnv(), ...env }, stdio: ["ignore", "pipe", "inherit"], detached: true });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout.once("data", (chunk: Buffer) =>
      resolve({
        port: Number(chunk.toString().trim()),
        // The relay's children are in its process group: end them with it.
        stop: () => {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
        },
      }),
    );
  });
}

/** The process relay with `children` child processes (one request in flight each). */
export function startProcessRelay(children: number): Promise<FloorServer> {
  return startScript(RELAY_SERVER, { CHILDREN: String(children), RELAY_CHILD });
}

/** A keep-alive Node reverse proxy in front of the server on `upstream`. */
export function startReverseProxy(upstream: number): Promise<FloorServer> {
  return startScript(REVERSE_PROXY, { UPSTREAM: String(upstream) });
}
