// The hostile tenant (Node.js). Deployed as account A's function; its event lists escape
// attempts, and it answers, per attempt, { op, ok, code?, message?, data? }. It never decides
// whether an attempt should have worked: the tests do. Plain CommonJS, no dependencies, so it
// runs on any Node the sandbox offers.
"use strict";
const fs = require("fs");
const net = require("net");
const os = require("os");
const path = require("path");
const { spawn } = require("child_process");

/** Text returned per attempt is cut here: enough to show a leak, never a 6 MB answer. */
const CLIP = 16 * 1024;
const MiB = 1024 * 1024;

const clip = (text) => (text.length > CLIP ? `${text.slice(0, CLIP)}…[${text.length - CLIP} more]` : text);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function readText(file) {
  try {
    return fs.readFileSync(file, "latin1");
  } catch {
    return "";
  }
}

/** Readable anonymous mappings (heap, stacks, V8 pages): where a process keeps its strings. */
function anonymousRegions(pid) {
  return fs
    .readFileSync(`/proc/${pid}/maps`, "latin1")
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 5 && f[1].startsWith("r") && (f.length === 5 || f[5] === "[heap]" || f[5] === "[stack]"))
    .map((f) => f[0].split("-").map((hex) => parseInt(hex, 16)));
}

/** Reads another process's memory through /proc/<pid>/mem and returns what follows each needle. */
function scanMemory(pid, needles) {
  const fd = fs.openSync(`/proc/${pid}/mem`, "r");
  const hits = [];
  let scanned = 0;
  const chunk = Buffer.alloc(MiB);
  try {
    for (const [start, end] of anonymousRegions(pid)) {
      for (let at = start; at < end && scanned < 512 * MiB && hits.length < 20; at += MiB) {
        let n;
        try {
          n = fs.readSync(fd, chunk, 0, Math.min(MiB, end - at), at);
        } catch {
          break;
        }
        scanned += n;
        const text = chunk.toString("latin1", 0, n);
        for (const needle of needles) {
          for (let i = text.indexOf(needle); i >= 0 && hits.length < 20; i = text.indexOf(needle, i + 1)) hits.push(text.slice(i, i + 64));
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return { scannedBytes: scanned, hits };
}

function connect({ host, port, timeoutMs = 1500 }) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let connected = null;
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    socket.on("connect", () => {
      clearTimeout(timer);
      connected = `${socket.remoteAddress}:${socket.remotePort}`;
      // Connected: collect a greeting, if the listener sends one, for a moment.
      setTimeout(() => socket.destroy(), 300);
    });
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("error", (err) => {
      if (connected !== null) return;
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", () => {
      if (connected !== null) resolve({ remote: connected, received: clip(received) });
    });
  });
}

/** Writes `bytes` zero bytes to one file in 1 MiB steps; an error carries how far it got. */
function writeBytes(file, bytes) {
  const block = Buffer.alloc(Math.min(MiB, Math.max(bytes, 1)));
  let written = 0;
  const fd = fs.openSync(file, "w");
  try {
    while (written < bytes) {
      written += fs.writeSync(fd, block, 0, Math.min(block.length, bytes - written));
    }
  } catch (err) {
    err.data = { written };
    throw err;
  } finally {
    fs.closeSync(fd);
  }
  return { written };
}

/** Fills `dir` with files of `fileBytes` until `bytes` are written or a write fails; removes them after. */
function fill({ dir, bytes, fileBytes }) {
  const files = [];
  let written = 0;
  try {
    while (written < bytes) {
      const file = path.join(dir, `fill-${process.pid}-${files.length}`);
      files.push(file);
      try {
        written += writeBytes(file, Math.min(fileBytes, bytes - written)).written;
      } catch (err) {
        err.data = { written: written + err.data.written };
        throw err;
      }
    }
    return { written };
  } finally {
    for (const file of files) fs.rmSync(file, { force: true });
  }
}

function processes() {
  return fs
    .readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((pid) => ({
      pid: Number(pid),
      uid: Number(/^Uid:\s+(\d+)/m.exec(readText(`/proc/${pid}/status`))?.[1] ?? -1),
      cmdline: readText(`/proc/${pid}/cmdline`).split("\0").join(" ").trim(),
    }));
}

/** The gateways of this network namespace's routes (where user-mode networking sits). */
function gateways() {
  const found = new Set();
  for (const line of readText("/proc/net/route").split("\n").slice(1)) {
    const hex = line.trim().split(/\s+/)[2];
    if (!hex || /^0+$/.test(hex)) continue;
    const n = parseInt(hex, 16);
    found.add([n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255].join("."));
  }
  return [...found];
}

function spawnDetached() {
  const file = path.join(os.tmpdir(), `ticks-${process.pid}-${Date.now()}`);
  const ticker = `const fs=require("fs");setInterval(()=>fs.appendFileSync(${JSON.stringify(file)},"t"),10)`;
  const child = spawn(process.execPath, ["-e", ticker], { detached: true, stdio: "ignore" });
  child.unref();
  return { pid: child.pid, file };
}

const ticks = (file) => (fs.existsSync(file) ? fs.statSync(file).size : 0);

const OPS = {
  self: () => ({ pid: process.pid, uid: process.getuid(), gid: process.getgid(), cwd: process.cwd(), tmpdir: os.tmpdir(), env: Object.keys(process.env) }),
  readFile: ({ path: file }) => clip(fs.readFileSync(file, "latin1")),
  listDir: ({ path: dir }) => fs.readdirSync(dir),
  connect,
  gateways,
  kill: ({ pid, signal }) => process.kill(pid, signal),
  killAll: () => process.kill(-1, "SIGKILL"),
  readEnviron: ({ pid }) => clip(fs.readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").join("\n")),
  readMem: ({ pid, needles }) => scanMemory(pid, needles),
  // Node has no ptrace: reading /proc/<pid>/mem needs the same ptrace access (PTRACE_MODE_ATTACH).
  ptrace: ({ pid, needles }) => scanMemory(pid, needles),
  listProcesses: processes,
  write: ({ path: file, bytes }) => writeBytes(file, bytes),
  fill,
  remove: ({ path: file }) => fs.rmSync(file, { force: true }),
  limits: () => {
    const line = /^Max file size\s+(\S+)\s+(\S+)/m.exec(readText("/proc/self/limits"));
    return { fileSize: line ? (line[1] === "unlimited" ? null : Number(line[1])) : null };
  },
  spawnDetached,
  ticks: ({ file }) => ({ ticks: ticks(file) }),
  /** Ticks counted across `ms` of this invocation: the ticker's pace while the instance is in use. */
  tickWindow: async ({ file, ms }) => {
    const before = ticks(file);
    const started = Date.now();
    await sleep(ms);
    return { before, after: ticks(file), ms: Date.now() - started };
  },
};

async function attempt(spec) {
  const { op, ...args } = spec;
  try {
    const fn = OPS[op];
    if (fn === undefined) throw new Error(`unknown op ${op}`);
    const data = await fn(args);
    return { op, ok: true, data: data === undefined ? null : data };
  } catch (err) {
    return { op, ok: false, code: err.code ?? null, message: String(err.message), data: err.data ?? null };
  }
}

async function run(event) {
  const attempts = Array.isArray(event.attempts) ? event.attempts : [];
  const results = event.parallel ? await Promise.all(attempts.map(attempt)) : [];
  if (!event.parallel) for (const spec of attempts) results.push(await attempt(spec));
  return { pid: process.pid, results };
}

exports.main_handler = async (event) => run(event);
// FunctionGraph's conventional handler name.
exports.handler = async (event) => run(event);
