import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import yazl from "yazl";
import { childEnv } from "../lib/baselines.js";
import type { EchoServer } from "../lib/echo.js";
import { load, type LoadResult } from "../lib/load.js";
import { startProcessRelay, startReverseProxy, type FloorServer } from "../lib/relay-floors.js";
import type { Plan } from "../lib/plan.js";
import { sample, shuffled, type Results } from "../lib/results.js";
import type { ScfBenchClient } from "../lib/scf-client.js";
import { summarize } from "../lib/stats.js";
import { EVENT } from "./invoke.js";

const SECTION = "HTTP triggers";

/** Instances of one version Quiver starts at most (--max-instances-per-function's default): the relay floor gets as many children. */
const RELAY_CHILDREN = 10;

const RELAY_FLOOR = "floor: HTTP → child process over a pipe (JSON, one request per child at a time)";
const PROXY_FLOOR = "floor: bare Node reverse proxy in front of the web function's server";

/**
 * The web function's server: echoes the body. The same file runs inside Quiver (started by
 * `scf_bootstrap`, port 9000 in its sandbox) and directly on the host (port from PORT), so the
 * difference between the two is what Quiver's proxying costs.
 */
const WEB_SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => { res.setHeader("content-type", "application/json"); res.end(Buffer.concat(chunks)); });
});
server.listen(Number(process.env.PORT || 9000), "0.0.0.0", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

const BOOTSTRAP = "#!/bin/bash\nexec node server.js\n";

export interface TriggerUrls {
  /** An event function (echo-node version 1) behind an SCF function URL. */
  readonly event: URL;
  /** A web function (web-node version 1) behind an SCF function URL. */
  readonly web: URL;
}

function webZip(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from(BOOTSTRAP), "scf_bootstrap", { mode: 0o100755 });
    zip.addBuffer(Buffer.from(WEB_SERVER), "server.js");
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

/** Creates an open (AuthType NONE) function URL on version 1 and returns the URL SCF answered. */
async function functionUrl(client: ScfBenchClient, functionName: string): Promise<URL> {
  const answer = await client.call("CreateTrigger", {
    FunctionName: functionName,
    Type: "http",
    TriggerName: `${functionName}-url`,
    Qualifier: "1",
    TriggerDesc: JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: false, EnableExtranet: true } }),
  });
  const desc = JSON.parse(String((answer["TriggerInfo"] as { TriggerDesc: string }).TriggerDesc)) as { NetConfig: { ExtranetHTTPUrl?: string; ExtranetUrl?: string } };
  const url = desc.NetConfig.ExtranetHTTPUrl || desc.NetConfig.ExtranetUrl;
  if (!url) throw new Error(`CreateTrigger answered no URL: ${JSON.stringify(desc)}`);
  return new URL(url);
}

/** echo-node must exist with version 1 (setupInvokeFunctions); adds the web function and both URLs. */
export async function setupHttpTriggers(client: ScfBenchClient): Promise<TriggerUrls> {
  await client.call("CreateFunction", { FunctionName: "web-node", Type: "HTTP", Runtime: "Nodejs18.15", Code: { ZipFile: (await webZip()).toString("base64") } });
  await client.call("PublishVersion", { FunctionName: "web-node" });
  return { event: await functionUrl(client, "echo-node"), web: await functionUrl(client, "web-node") };
}

/** The web function's server run directly on the host: the floor its proxying is measured against. */
async function startDirectWebServer(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ["-e", WEB_SERVER], { env: { ...childEnv(), PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => child.stdout?.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  return { port, child };
}

const BODY = Buffer.from(EVENT);
const HEADERS = { "content-type": "application/json" };

function postTo(agent: Agent, port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "POST", agent, headers: { ...HEADERS, "content-length": String(BODY.length) } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`POST ${path}: HTTP ${res.statusCode}`))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(BODY);
  });
}

/**
 * Warm latency over plain HTTP, one keep-alive connection per path, interleaved in shuffled
 * batches: the bare echo, an event function's URL, a web function's URL, and the web function's
 * server called directly.
 */
export async function httpTriggerLatency(urls: TriggerUrls, echo: EchoServer, plan: Plan, results: Results): Promise<void> {
  const direct = await startDirectWebServer();
  const floors: FloorServer[] = [];
  const relay = await startProcessRelay(RELAY_CHILDREN);
  floors.push(relay);
  const proxy = await startReverseProxy(direct.port);
  floors.push(proxy);
  const agents: Agent[] = [];
  const via = (port: number, path: string): (() => Promise<void>) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    return () => postTo(agent, port, path);
  };
  const kinds: Record<string, () => Promise<void>> = {
    "floor: bare Node HTTP echo (same request)": via(echo.port, "/"),
    "event function URL (Node, version 1)": via(Number(urls.event.port), urls.event.pathname),
    "web function URL (Node server, version 1)": via(Number(urls.web.port), urls.web.pathname),
    "floor: the web function's server called directly": via(direct.port, "/"),
    [RELAY_FLOOR]: via(relay.port, "/"),
    [PROXY_FLOOR]: via(proxy.port, "/"),
  };
  try {
    const times = new Map(Object.keys(kinds).map((k) => [k, [] as number[]]));
    for (const run of Object.values(kinds)) await sample(200, run);
    for (let done = 0; done < plan.warmSamples; done += 20) {
      for (const name of shuffled(Object.keys(kinds))) times.get(name)?.push(...(await sample(20, kinds[name] as () => Promise<void>)));
    }
    const summaries = new Map([...times].map(([name, xs]) => [name, summarize(xs)]));
    const echoFloor = summaries.get("floor: bare Node HTTP echo (same request)");
    const directFloor = summaries.get("floor: the web function's server called directly");
    const event = summaries.get("event function URL (Node, version 1)");
    const web = summaries.get("web function URL (Node server, version 1)");
    const relayFloor = summaries.get(RELAY_FLOOR);
    const proxyFloor = summaries.get(PROXY_FLOOR);
    if (!echoFloor || !directFloor || !event || !web || !relayFloor || !proxyFloor) return;
    results.add({ section: SECTION, name: "floor: bare Node HTTP echo (same request)", unit: "ms", summary: echoFloor });
    results.add({ section: SECTION, name: RELAY_FLOOR, unit: "ms", summary: relayFloor, baseline: "HTTP echo p50", ratio: relayFloor.p50 / echoFloor.p50 });
    results.add({ section: SECTION, name: "warm POST to an event function's URL (Node, version 1)", unit: "ms", summary: event, baseline: "HTTP echo p50", ratio: event.p50 / echoFloor.p50 });
    results.add({ section: SECTION, name: "floor: the web function's server called directly", unit: "ms", summary: directFloor });
    results.add({ section: SECTION, name: PROXY_FLOOR, unit: "ms", summary: proxyFloor, baseline: "direct server p50", ratio: proxyFloor.p50 / directFloor.p50 });
    results.add({ section: SECTION, name: "warm POST to a web function's URL (same server, proxied)", unit: "ms", summary: web, baseline: "direct server p50", ratio: web.p50 / directFloor.p50 });
    const overhead = event.p50 - echoFloor.p50;
    const proxy = web.p50 - directFloor.p50;
    results.target("HTTP trigger overhead over HTTP echo, p50", "≤ 0.5 ms", `${overhead.toFixed(3)} ms (${event.p50.toFixed(3)} − ${echoFloor.p50.toFixed(3)}; the process-relay floor adds ${(relayFloor.p50 - echoFloor.p50).toFixed(3)})`, overhead <= 0.5);
    results.target("web function URL over its server called directly, p50", "≤ 0.3 ms", `${proxy.toFixed(3)} ms (${web.p50.toFixed(3)} − ${directFloor.p50.toFixed(3)}; a bare reverse proxy adds ${(proxyFloor.p50 - directFloor.p50).toFixed(3)})`, proxy <= 0.3);
  } finally {
    for (const agent of agents) agent.destroy();
    for (const floor of floors) floor.stop();
    direct.child.kill();
  }
}

/** Throughput of an event function's URL at 10 and 50 keep-alive connections, the echo alongside. */
export async function httpTriggerThroughput(urls: TriggerUrls, echo: EchoServer, plan: Plan, results: Results): Promise<void> {
  const port = Number(urls.event.port);
  const relay = await startProcessRelay(RELAY_CHILDREN);
  try {
    for (const connections of [10, 50]) await throughputAt(connections, { port, path: urls.event.pathname }, echo, relay, plan, results);
  } finally {
    relay.stop();
  }
}

/** Echo, process-relay floor and the trigger at one connection count, in shuffled order. */
async function throughputAt(connections: number, trigger: { port: number; path: string }, echo: EchoServer, relay: FloorServer, plan: Plan, results: Results): Promise<void> {
  const req = { headers: HEADERS, body: BODY };
  await load(trigger.port, req, connections, 1, trigger.path); // unmeasured: instances scale up first
  const out: Record<string, LoadResult> = {};
  for (const which of shuffled(["echo", "relay", "trigger"])) {
    if (which === "echo") out[which] = await load(echo.port, req, connections, plan.loadSeconds);
    else if (which === "relay") out[which] = await load(relay.port, req, connections, plan.loadSeconds);
    else out[which] = await load(trigger.port, req, connections, plan.loadSeconds, trigger.path);
  }
  const floor = out["echo"] as LoadResult;
  const relayFloor = out["relay"] as LoadResult;
  const measured = out["trigger"] as LoadResult;
  const note = (r: LoadResult): string => `${r.errors} errors; latency p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms`;
  results.add({ section: SECTION, name: `bare Node HTTP echo, ${connections} connections`, unit: "req/s", value: floor.throughput, summary: floor.latency, note: note(floor) });
  results.add({ section: SECTION, name: `floor: HTTP → ${RELAY_CHILDREN} child processes over pipes, ${connections} connections`, unit: "req/s", value: relayFloor.throughput, summary: relayFloor.latency, note: note(relayFloor), baseline: "HTTP echo req/s", ratio: relayFloor.throughput / floor.throughput });
  results.add({ section: SECTION, name: `event function URL, ${connections} connections`, unit: "req/s", value: measured.throughput, summary: measured.latency, note: `${note(measured)}; ${(measured.throughput / relayFloor.throughput).toFixed(2)}× the process-relay floor`, baseline: "HTTP echo req/s", ratio: measured.throughput / floor.throughput });
  if (connections === 50) {
    const ratio = measured.throughput / floor.throughput;
    const floorRatio = relayFloor.throughput / floor.throughput;
    results.target("HTTP trigger throughput at 50 connections vs HTTP echo (0 errors)", "≥ 0.25×", `${ratio.toFixed(2)}× (${measured.throughput.toFixed(0)}/s, ${measured.errors} errors; the process-relay floor is ${floorRatio.toFixed(2)}×)`, ratio >= 0.25 && measured.errors === 0);
  }
}
