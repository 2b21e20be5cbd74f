// Quiver Node.js child bootstrap. Plain ESM JavaScript so it runs from both `src/` and `dist/`
// without a build. Control channel: newline-delimited JSON on fd 3, a Unix socketpair made by
// the engine (see src/runtime/protocol.ts); stdout/stderr are separate pipes. It starts generic
// (a "stem cell"), is specialised once by a `load` message, then serves `inv` messages one at
// a time.
import process from "node:process";
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { accessSync, constants as fsConstants, existsSync, openSync, readFileSync, readSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { connect, Socket } from "node:net";
import { dirname, join, sep } from "node:path";
import { pathToFileURL } from "node:url";

let handler = null;
let load = null; // the load message
let ctxBase = null;
let current = null; // { log, done, finish }
let rehearsal = null; // while the load rehearses a call: { handler, finished }

// --- control channel. Node's IPC is not used: the engine frames and validates every message
// itself, so that nothing a function writes to fd 3 can crash it.
const ctl = new Socket({ fd: 3, readable: true, writable: true });
function send(m) {
  ctl.write(JSON.stringify(m) + "\n");
}
function receive(onMessage) {
  let parts = [];
  ctl.setEncoding("utf8");
  ctl.on("data", (chunk) => {
    let start = 0;
    for (let nl = chunk.indexOf("\n"); nl >= 0; nl = chunk.indexOf("\n", start)) {
      parts.push(chunk.slice(start, nl));
      const line = parts.join("");
      parts = [];
      start = nl + 1;
      onMessage(JSON.parse(line));
    }
    if (start < chunk.length) parts.push(chunk.slice(start));
  });
}

// --- log capture: written through to the real fd (the engine keeps it for crash paths) and
// buffered here so a normal result carries an ordered, complete tail. The bytes written
// through are counted: each result reports the totals, so that the engine can tell which call
// a byte belongs to when it reads it only after that call's result (output-attribution.ts).
// A write Node queues because the pipe is full still counts: it reaches the pipe in order.
// The log holds what reached the pipe, as UTF-8 text: a string written in another encoding
// (`write("68690a", "hex")`) as the bytes it stands for, any view (Uint16Array, DataView) as
// its bytes. A write Node refuses (bad chunk or encoding) throws before anything is kept; one
// it only queues and fails later (a string in the "buffer" encoding on a full pipe) is kept as is.
const written = { stdout: 0, stderr: 0 };
function hook(stream, name) {
  const write = stream.write.bind(stream);
  stream.write = function (chunk, encoding, cb) {
    const ok = write(chunk, encoding, cb);
    if (typeof chunk === "string") {
      // Without an encoding, Node writes a string in the stream's default (`setDefaultEncoding`).
      const enc = typeof encoding === "string" ? encoding : (stream._writableState?.defaultEncoding ?? "utf8");
      if (current !== null) capture(enc === "utf8" || enc === "utf-8" || !Buffer.isEncoding(enc) ? chunk : Buffer.from(chunk, enc).toString());
      written[name] += Buffer.byteLength(chunk, enc);
    } else {
      if (current !== null) capture(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString());
      written[name] += chunk.byteLength;
    }
    return ok;
  };
}
function capture(s) {
  const limit = load === null ? 4096 : load.logTailBytes;
  current.log += s;
  if (current.log.length > 2 * limit + 1024) current.log = current.log.slice(-limit);
}
function tail(s, limit) {
  if (s.length <= limit / 4) return s;
  const b = Buffer.from(s);
  return b.length <= limit ? s : b.subarray(b.length - limit).toString();
}
hook(process.stdout, "stdout");
hook(process.stderr, "stderr");

// --- errors. Their texts are clipped to the protocol's limit (sent with `load`): a user's huge
// error message stays that user's error instead of becoming an invalid control message.
function clip(s) {
  const limit = load.errorTextChars;
  return s.length > limit ? s.slice(0, limit) : s;
}
function wire(kind, message, stack = "") {
  return { kind, message: clip(message), stack: clip(stack) };
}
// Text for any thrown value, even one whose toJSON or toString throws.
function text(v) {
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    try {
      return String(v);
    } catch {
      return Object.prototype.toString.call(v);
    }
  }
}

// --- handler loading
function notFound(message) {
  return wire("handler-not-found", message);
}
// Stack traces show the user's frames only: Quiver's bootstrap and the Node internals that
// called into the handler (module loader, IPC dispatch) are cut off the bottom.
const SELF = import.meta.url;
function userStack(stack) {
  if (typeof stack !== "string") return "";
  const lines = stack.split("\n");
  let end = lines.findIndex((l) => l.includes(SELF));
  if (end < 0) return stack;
  while (end > 1 && /^\s+at (?:.*\()?node:/.test(lines[end - 1])) end -= 1;
  return lines.slice(0, end).join("\n");
}
function toWire(kind, err) {
  if (err instanceof Error) return wire(kind, text(err.message), userStack(err.stack));
  return wire(kind, text(err));
}
function isModuleType(file, root) {
  if (file.endsWith(".mjs")) return true;
  if (file.endsWith(".cjs")) return false;
  for (let d = dirname(file); d.startsWith(root); d = dirname(d)) {
    const pj = join(d, "package.json");
    if (existsSync(pj)) {
      try {
        return JSON.parse(readFileSync(pj, "utf8")).type === "module";
      } catch {
        return false;
      }
    }
    if (d === root) break;
  }
  return false;
}
async function loadHandler(m) {
  const dot = m.handler.lastIndexOf(".");
  if (dot <= 0 || dot === m.handler.length - 1) return { err: notFound(`invalid handler "${m.handler}": expected file.function`) };
  const base = join(m.root, m.handler.slice(0, dot));
  const fn = m.handler.slice(dot + 1);
  if (!(base + sep).startsWith(m.root + sep)) return { err: notFound(`handler path escapes the code root: ${m.handler}`) };
  const file = [".js", ".mjs", ".cjs"].map((e) => base + e).find((f) => existsSync(f));
  if (file === undefined) return { err: notFound(`handler file not found: ${m.handler.slice(0, dot)}.js (.mjs, .cjs)`) };
  let mod;
  try {
    mod = isModuleType(file, m.root) ? await import(pathToFileURL(file).href) : createRequire(file)(file);
  } catch (err) {
    return { err: toWire("user-error", err) };
  }
  let f = mod?.[fn];
  if (f === undefined && mod?.default !== undefined) f = mod.default[fn];
  if (typeof f !== "function") return { err: notFound(`handler function "${fn}" is not exported by ${file.slice(m.root.length + 1)}`) };
  return { fn: f };
}

function replaceEnv(env) {
  for (const k of Object.keys(process.env)) Reflect.deleteProperty(process.env, k);
  Object.assign(process.env, env);
}

async function onLoad(m) {
  load = m;
  replaceEnv(m.env);
  // Node reads NODE_PATH once, at start; this process started before it knew its function
  // (whose layers NODE_PATH names), so the CommonJS loader reads it again now.
  Module._initPaths();
  process.chdir(m.root);
  current = { log: "" };
  const r = await loadHandler(m);
  current = null;
  if (r.err) {
    send({ t: "loaded", err: r.err, stdout: written.stdout, stderr: written.stderr });
    return;
  }
  handler = r.fn;
  ctxBase = m.ctx;
  await rehearseCall();
  send({ t: "loaded", err: null, stdout: written.stdout, stderr: written.stderr });
}

// V8 compiles a function when it first runs, and each of its property accesses is slow until
// it has run once: rehearse a whole call now, through the same dispatch, context, result and
// log code as a real one but with a stand-in handler and no answer sent, so that an
// instance's first call (a provisioned instance's above all) costs what its second does. The
// rehearsal also opens /proc/self/statm, which took ~0.4 ms on a first call in a sandbox.
// Nothing here is seen by the function or the engine.
async function rehearseCall() {
  const done = new Promise((resolve) => {
    rehearsal = { finished: resolve, handler: async (event) => event };
  });
  dispatch(JSON.parse(JSON.stringify({ t: "inv", id: "rehearsal", ev: '{"rehearsal":true}', ctx: {} })));
  await done;
  rehearsal = null;
  toWire("user-error", new Error("rehearsal"));
}

// --- context objects
function scfContext(id, perCall) {
  const c = Object.assign({}, ctxBase, perCall);
  c.request_id = id;
  c.callbackWaitsForEmptyEventLoop = true;
  return c;
}
function fgsLogger(id) {
  const line = (level) => (...args) => process.stdout.write(`${new Date().toISOString()} ${id} ${level} ${args.map(String).join(" ")}\n`);
  return { info: line("INFO"), warn: line("WARN"), error: line("ERROR"), debug: line("DEBUG") };
}
function fgsContext(id, start, perCall) {
  const c = perCall ? Object.assign({}, ctxBase, perCall) : ctxBase;
  const deadline = start + c.timeoutSec * 1000;
  let userData;
  return {
    getRequestID: () => id,
    getRemainingTimeInMilliSeconds: () => Math.max(0, deadline - Date.now()),
    getAccessKey: () => c.accessKey,
    getSecretKey: () => c.secretKey,
    getSecurityAccessKey: () => c.accessKey,
    getSecuritySecretKey: () => c.secretKey,
    getSecurityToken: () => c.securityToken,
    getToken: () => c.token,
    getUserData: (key) => {
      userData ??= JSON.parse(c.userData);
      return userData[key];
    },
    getFunctionName: () => c.functionName,
    getRunningTimeInSeconds: () => c.timeoutSec,
    getVersion: () => c.version,
    getMemorySize: () => c.memory,
    getCPUNumber: () => c.cpu,
    getProjectID: () => c.projectId,
    getPackage: () => c.package,
    getAlias: () => c.alias,
    getLogger: () => fgsLogger(id),
  };
}

// --- invocation
function serialise(value) {
  const s = value === undefined ? "null" : JSON.stringify(value);
  if (s === undefined) return "null";
  const max = load.maxResultBytes;
  if (s.length > max || (s.length * 3 > max && Buffer.byteLength(s) > max)) {
    throw Object.assign(new Error(`result exceeds the ${max}-byte limit`), { quiverKind: "result-too-large" });
  }
  return s;
}

function finish(inv, err, value, retire) {
  if (inv.done || current !== inv) return;
  inv.done = true;
  let r = "";
  let e = err === null ? null : toWire("user-error", err);
  if (e === null) {
    try {
      r = serialise(value);
    } catch (se) {
      e = se?.quiverKind ? wire(se.quiverKind, se.message) : toWire("user-error", se);
    }
  }
  current = null;
  setTriggerSrc(undefined);
  const msg = { t: "res", r, err: e, log: tail(inv.log, load.logTailBytes), rss: ownRss(), stdout: written.stdout, stderr: written.stderr };
  if (retire) msg.retire = true;
  if (inv.rehearsal === null) send(msg);
  else inv.rehearsal.finished(JSON.stringify(msg));
}

// This process's resident memory, from its statm kept open and re-read in place: one system
// call per result, where process.memoryUsage.rss() makes three (open, read, close of /proc/self/stat).
const ownStatm = { fd: null, buffer: Buffer.alloc(128) };
function ownRss() {
  try {
    ownStatm.fd ??= openSync("/proc/self/statm", "r");
    const n = readSync(ownStatm.fd, ownStatm.buffer, 0, ownStatm.buffer.length, 0);
    const pages = Number(ownStatm.buffer.toString("latin1", 0, n).split(" ")[1]);
    if (Number.isSafeInteger(pages)) return pages * 4096;
  } catch {
    // No procfs here: ask Node.
  }
  return process.memoryUsage.rss();
}

// SCF callback handlers: with `context.callbackWaitsForEmptyEventLoop` true (the default) the
// result is returned once the work the invocation started is over, i.e. once no more resources
// keep the event loop alive than did when it began (the process itself is reused, so "empty"
// is relative to that baseline). Work that never ends runs into the function's timeout.
function drainThen(inv, baseline, done) {
  const check = () => {
    if (inv.done || current !== inv) return;
    if (process.getActiveResourcesInfo().length <= baseline) done();
    else setTimeout(check, 2).unref();
  };
  setTimeout(check, 0).unref();
}

// TRIGGER_SRC names the trigger that made a call (`timer`), for that call only: the per-call
// value is set before the handler runs, and the function's own environment comes back after.
function setTriggerSrc(value) {
  const own = load.env.TRIGGER_SRC;
  if (value !== undefined) process.env.TRIGGER_SRC = value;
  else if (own !== undefined) process.env.TRIGGER_SRC = own;
  else delete process.env.TRIGGER_SRC;
}

function onInvoke(m) {
  const inv = { log: "", done: false, rehearsal };
  const fn = rehearsal === null ? handler : rehearsal.handler;
  current = inv;
  const start = Date.now();
  const baseline = process.getActiveResourcesInfo().length;
  let ctx = null;
  let called = false;
  const cb = (err, value) => {
    if (called) return;
    called = true;
    const settle = () => finish(inv, err == null ? null : err, value);
    if (ctx !== null && ctx.callbackWaitsForEmptyEventLoop === true) drainThen(inv, baseline, settle);
    else settle();
  };
  let ret;
  try {
    const event = JSON.parse(m.ev);
    const { triggerSrc, ...perCall } = m.ctx ?? {};
    setTriggerSrc(triggerSrc);
    ctx = load.convention === "scf" ? scfContext(m.id, perCall) : fgsContext(m.id, start, perCall);
    ret = fn(event, ctx, cb);
  } catch (err) {
    finish(inv, err);
    return;
  }
  if (ret !== null && typeof ret === "object" && typeof ret.then === "function") {
    ret.then((v) => finish(inv, null, v), (err) => finish(inv, err ?? new Error("promise rejected")));
  } else if (fn.length < 3) {
    finish(inv, null, ret);
  }
}

// An uncaught error during an invocation fails that invocation; the process is then suspect.
// One during a load's rehearsed call is the function's own code failing outside any call (the
// stand-in handler cannot throw): the process ends as it would have without the rehearsal.
function onCrash(err) {
  if (current !== null && !current.rehearsal) finish(current, err, undefined, true);
  else {
    process.stderr.write(`uncaught error outside an invocation: ${err?.stack ?? err}\n`);
    process.exit(1);
  }
}
process.on("uncaughtException", onCrash);
process.on("unhandledRejection", onCrash);

// --- web functions. The process becomes the keeper of the function's own HTTP server: it
// starts the server (the package's bootstrap file) with the function's environment and its
// stdout/stderr (the instance's own pipes, so the engine reads the server's output directly),
// and reports `loaded` once the server's port accepts connections. The engine then talks HTTP
// to the server itself (src/runtime/web-link.ts); nothing passes through this process. When the
// server exits, so does this process, the same way: the engine sees the instance die.
let web = null; // { child, port, ready, exited }

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = connect({ host: "127.0.0.1", port });
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
  });
}

function isExecutable(file) {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function serverCommand(m) {
  const names = m.bootstraps.map((b) => b.path.slice(m.root.length + 1));
  const found = m.bootstraps.find((b) => existsSync(b.path));
  if (found === undefined) return { err: `the package has no ${names.join(" or ")} file` };
  const name = found.path.slice(m.root.length + 1);
  if (isExecutable(found.path)) return { argv: [found.path] };
  if (!found.shell) return { err: `${name} is not executable: set its mode to 755 before zipping` };
  return { argv: [existsSync("/bin/bash") ? "/bin/bash" : "/bin/sh", found.path] };
}

async function onWeb(m) {
  load = m;
  process.chdir(m.root);
  const cmd = serverCommand(m);
  if (cmd.err) return startFailed(cmd.err);
  const env = Object.assign({}, m.env, { PORT: String(m.port) });
  const child = spawn(cmd.argv[0], cmd.argv.slice(1), { cwd: m.root, env, stdio: ["ignore", "inherit", "inherit"], detached: m.ownGroup });
  web = { child, port: m.port, ready: false, exited: false };
  let spawnError = null;
  child.once("error", (err) => (spawnError = err));
  child.once("close", (code, signal) => serverGone(code, signal, spawnError));
  while (!web.exited) {
    if (await canConnect(m.port)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  if (web.exited) return;
  web.ready = true;
  send({ t: "loaded", err: null });
}

function startFailed(message) {
  send({ t: "loaded", err: wire("runtime-start-failed", message) });
}

// Before it listened: the start failed (the engine has the server's output). After: this
// process ends as the server did (a signal, say the kernel's OOM kill, is passed on), so the
// engine sees the death.
function serverGone(code, signal, spawnError) {
  web.exited = true;
  if (!web.ready) {
    const how = spawnError !== null ? spawnError.message : signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
    startFailed(`the function's server ${spawnError !== null ? `could not start: ${how}` : how} before it listened on port ${web.port}`);
    return;
  }
  if (signal !== null) process.kill(process.pid, signal);
  process.exit(code ?? 1);
}

receive(dispatch);
function dispatch(m) {
  if (m.t === "inv") onInvoke(m);
  else if (m.t === "load") onLoad(m).catch((err) => send({ t: "loaded", err: toWire("user-error", err) }));
  else if (m.t === "web") onWeb(m).catch((err) => send({ t: "loaded", err: wire("runtime-start-failed", text(err?.message ?? err)) }));
}
// The engine going away (its end of the channel closed) means this process has no purpose left.
ctl.on("error", () => undefined);
ctl.on("close", () => process.exit(0));
// Pay the loaders' and serialisers' lazy initialisation before reporting ready: a stem cell's
// specialise then costs ~1-2 ms instead of ~5 ms (measured, see docs/runtime.md).
async function warmup() {
  const warm = createRequire(import.meta.url)("./cjs/warm.js").warm;
  await warm({ a: [1, "x"] }).then((v) => Buffer.byteLength(JSON.stringify(v)));
  existsSync(join(process.cwd(), "package.json"));
  process.memoryUsage.rss();
  Object.assign({}, { a: 1 });
}
warmup().then(() => send({ t: "ready" }), () => send({ t: "ready" }));
