/**
 * The reference deployment on loopback: N `quiver serve --store postgres` nodes (code blobs in
 * PostgreSQL, limits and splits in Redis) behind HAProxy. Tests, the reliability suite and the
 * benchmark start it the same way. Every node has its own data dir and a fixed port, so a
 * node killed with SIGKILL comes back where the load balancer expects it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, writeAccountsFile } from "../helpers/accounts.js";
import { spawnCli, waitForListening, type CliProcess } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { createTestSchema, urlWithSchema, type TestSchema } from "../store/pg-schema.js";
import { closedPort, REDIS_URL, removeKeys, testKeyPrefix } from "./redis.js";

export interface ClusterOptions {
  readonly nodes: number;
  /** `--node-lease-seconds` (default 30 s, Quiver's own default). */
  readonly leaseSeconds?: number;
  /** Per-account rate limits on (the default); off for load that should not be refused. */
  readonly rateLimits?: boolean;
  /** Redis for limits and splits (default on). */
  readonly redis?: boolean;
  /** More `quiver serve` flags for every node. */
  readonly args?: readonly string[];
}

export interface ClusterNode {
  readonly index: number;
  readonly port: number;
  readonly url: string;
  readonly endpoint: string;
  readonly dataDir: string;
  /** The running process (null while killed). */
  readonly process: CliProcess | null;
  /** SIGKILL: the node vanishes mid-whatever. */
  kill(): Promise<void>;
  /** Starts the node again on its data dir and port (it rejoins under a new node id). */
  start(): Promise<void>;
}

export interface Cluster {
  /** The load balancer, where clients go. */
  readonly url: string;
  readonly endpoint: string;
  readonly nodes: readonly ClusterNode[];
  readonly schemaUrl: string;
  /** Waits until the load balancer's health checks see node `index` up (or down). */
  waitBackend(index: number, state: "UP" | "DOWN"): Promise<void>;
  stop(): Promise<void>;
}

/** HAProxy answers here with its view of the backends (`show stat` as CSV). */
const STATS_PATH = "/haproxy-stats";

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = tempDir("quiver-cluster-");
  const schema: TestSchema = await createTestSchema();
  const accountsFile = writeAccountsFile(dir.path);
  const schemaUrl = urlWithSchema(schema.name);
  const prefix = testKeyPrefix();
  const ports = await Promise.all(Array.from({ length: options.nodes }, () => closedPort()));
  const nodes = ports.map((port, index) => clusterNode(index, port, nodeArgs(options, { dataDir: join(dir.path, `node-${index}`), accountsFile, schemaUrl, prefix, port })));
  let balancer: Balancer | null = null;
  const stop = async (): Promise<void> => {
    await balancer?.stop();
    await Promise.all(nodes.map((node) => node.stop()));
    if (options.redis !== false) await removeKeys(prefix);
    await schema.drop();
    dir.remove();
  };
  try {
    // The first node migrates while the others wait on the advisory lock: start them together.
    await Promise.all(nodes.map((node) => node.start()));
    balancer = await startBalancer(dir.path, ports);
    const lb = balancer;
    await Promise.all(nodes.map((node) => lb.waitBackend(node.index, "UP")));
    return {
      url: lb.url,
      endpoint: lb.url.replace(/^http:\/\//, ""),
      nodes,
      schemaUrl,
      waitBackend: (index, state) => lb.waitBackend(index, state),
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

interface NodeSetup {
  readonly dataDir: string;
  readonly accountsFile: string;
  readonly schemaUrl: string;
  readonly prefix: string;
  readonly port: number;
}

function nodeArgs(options: ClusterOptions, setup: NodeSetup): string[] {
  return [
    "serve",
    "--port", String(setup.port),
    "--data-dir", setup.dataDir,
    "--accounts", setup.accountsFile,
    "--store", "postgres",
    "--database-url", setup.schemaUrl,
    "--blob-store", "postgres",
    "--node-lease-seconds", String(options.leaseSeconds ?? 30),
    "--log-level", "warn",
    "--prewarm-nodejs", "0",
    "--prewarm-python", "0",
    // FunctionGraph's default of 10 versions per function would stop the publish load.
    "--fgs-max-versions", "100000",
    "--scf-max-versions", "100000",
    ...(options.redis === false ? [] : ["--redis-url", REDIS_URL, "--redis-key-prefix", setup.prefix]),
    ...(options.rateLimits === false ? ["--no-rate-limit"] : []),
    ...(options.args ?? []),
  ];
}

function clusterNode(index: number, port: number, args: readonly string[]): ClusterNode & { stop(): Promise<void> } {
  let current: CliProcess | null = null;
  const url = `http://127.0.0.1:${port}`;
  return {
    index,
    port,
    url,
    endpoint: `127.0.0.1:${port}`,
    dataDir: args[args.indexOf("--data-dir") + 1] ?? "",
    get process() {
      return current;
    },
    async kill() {
      const running = current;
      current = null;
      if (!running) return;
      running.child.kill("SIGKILL");
      await running.exited;
    },
    async start() {
      if (current) throw new Error(`node ${index} is running`);
      const cli = spawnCli(args);
      try {
        await waitForListening(cli, 120_000);
      } catch (error) {
        cli.child.kill("SIGKILL");
        await cli.exited;
        throw error;
      }
      current = cli;
    },
    async stop() {
      const running = current;
      current = null;
      if (!running) return;
      running.child.kill("SIGTERM");
      await running.exited;
    },
  };
}

interface Balancer {
  readonly url: string;
  waitBackend(index: number, state: "UP" | "DOWN"): Promise<void>;
  stop(): Promise<void>;
}

/**
 * HAProxy in front of the nodes: round robin per request, health checks on `/healthz` every
 * 250 ms (a node is out after 2 failures, in after 1 success), and a request whose connection
 * to a node cannot be opened is sent to another node (`retry-on conn-failure`, `redispatch`).
 * A request already sent to a node that dies is never replayed (it may have been applied):
 * its client gets a 502 and retries, as with any load balancer.
 */
async function startBalancer(dir: string, ports: readonly number[]): Promise<Balancer> {
  const port = await closedPort();
  const config = join(dir, "haproxy.cfg");
  writeFileSync(config, [
    "global",
    "  maxconn 4096",
    "defaults",
    "  mode http",
    "  timeout connect 1s",
    "  timeout client 120s",
    "  timeout server 120s",
    "  retries 3",
    "  retry-on conn-failure",
    "  option redispatch 1",
    "frontend api",
    `  bind 127.0.0.1:${port}`,
    `  stats enable`,
    `  stats uri ${STATS_PATH}`,
    "  default_backend quiver",
    "backend quiver",
    "  balance roundrobin",
    "  option httpchk GET /healthz",
    "  default-server inter 250ms fastinter 100ms downinter 250ms fall 2 rise 1",
    ...ports.map((p, index) => `  server node${index} 127.0.0.1:${p} check`),
    "",
  ].join("\n"));
  const child: ChildProcess = spawn("haproxy", ["-f", config, "-db"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = once(child, "exit");
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${output}`);
    return fetch(`${url}${STATS_PATH};csv`).then((r) => r.ok, () => false);
  }, { timeoutMs: 10_000, what: "HAProxy answers" });
  return {
    url,
    async waitBackend(index, state) {
      await eventually(async () => (await backendStates(url))[`node${index}`]?.startsWith(state), { timeoutMs: 30_000, what: `node ${index} is ${state} for HAProxy` });
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Server name → status (`UP`, `DOWN`, `UP 1/2`, …) from HAProxy's CSV statistics. */
async function backendStates(url: string): Promise<Record<string, string>> {
  const csv = await (await fetch(`${url}${STATS_PATH};csv`)).text();
  const lines = csv.split("\n");
  const header = (lines[0] ?? "").replace(/^# /, "").split(",");
  const name = header.indexOf("svname");
  const status = header.indexOf("status");
  const states: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const fields = line.split(",");
    const server = fields[name];
    if (server?.startsWith("node")) states[server] = fields[status] ?? "";
  }
  return states;
}
