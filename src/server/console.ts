/**
 * The web console at `/console`: a static client app (`console/` at the repository root, plain
 * ES modules the browser runs as they are) and the browser builds of the libraries it imports,
 * served from their npm packages. No bundler: an import map in the page names each library's
 * file. Everything is read into memory at start, so a request never touches the disk.
 *
 * Caching: the page itself is `no-cache`; every other file is under `/console/<build>/`, where
 * `<build>` is a hash of all of them, and is `immutable` — a new Quiver (or a changed file)
 * changes the hash, so browsers never hold a stale mix. The Content-Security-Policy allows
 * scripts and styles from this origin only (the import map is allowed by its hash), and
 * requests to this origin only (the APIs the console signs). See docs/console.md.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";

export const CONSOLE_PATH = "/console";

/** The console's own files: beside src/ and dist/ alike. */
const APP_DIR = fileURLToPath(new URL("../../console/", import.meta.url));

/** Library files the console imports: URL path under `vendor/` → package and file (or folder) in it. */
const VENDOR_FILES: ReadonlyArray<{ readonly url: string; readonly pkg: string; readonly file: string }> = [
  { url: "preact/preact.mjs", pkg: "preact", file: "dist/preact.mjs" },
  { url: "preact/hooks.mjs", pkg: "preact", file: "hooks/dist/hooks.mjs" },
  { url: "htm/htm.mjs", pkg: "htm", file: "dist/htm.mjs" },
  { url: "uplot/uPlot.esm.js", pkg: "uplot", file: "dist/uPlot.esm.js" },
  { url: "uplot/uPlot.min.css", pkg: "uplot", file: "dist/uPlot.min.css" },
  { url: "fflate/browser.js", pkg: "fflate", file: "esm/browser.js" },
  // diff's ES build is a tree of modules importing each other by relative paths.
  { url: "diff", pkg: "diff", file: "libesm" },
];

/** Bare specifiers the console's modules import → file under `vendor/`. */
const IMPORTS: Readonly<Record<string, string>> = {
  preact: "preact/preact.mjs",
  "preact/hooks": "preact/hooks.mjs",
  htm: "htm/htm.mjs",
  uplot: "uplot/uPlot.esm.js",
  fflate: "fflate/browser.js",
  diff: "diff/index.js",
};

const TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

interface ConsoleFiles {
  readonly build: string;
  readonly page: Buffer;
  readonly csp: string;
  readonly assets: ReadonlyMap<string, Asset>;
}

export function registerConsole(app: FastifyInstance, options: { readonly region: string }): void {
  const files = loadConsole(options.region);
  const sendPage = async (reply: FastifyReply): Promise<void> => {
    await headers(reply, files.csp).header("cache-control", "no-cache").type("text/html; charset=utf-8").send(files.page);
  };
  app.get(CONSOLE_PATH, async (_request, reply) => sendPage(reply));
  app.get(`${CONSOLE_PATH}/`, async (_request, reply) => sendPage(reply));
  app.get(`${CONSOLE_PATH}/*`, async (request, reply) => {
    const path = (request.params as { "*": string })["*"];
    const asset = path.startsWith(`${files.build}/`) ? files.assets.get(path.slice(files.build.length + 1)) : undefined;
    if (!asset) {
      // An asset of an older build (a page loaded before an upgrade): reloading gets the new one.
      return await headers(reply, files.csp).code(404).header("cache-control", "no-store").type("text/plain; charset=utf-8").send(`No console file at ${request.url}; reload the console.`);
    }
    await headers(reply, files.csp).header("cache-control", "public, max-age=31536000, immutable").type(asset.type).send(asset.body);
  });
}

function headers(reply: FastifyReply, csp: string): FastifyReply {
  return reply
    .header("content-security-policy", csp)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header("x-frame-options", "DENY");
}

function loadConsole(region: string): ConsoleFiles {
  const assets = new Map<string, Asset>();
  for (const path of filesUnder(APP_DIR)) {
    if (basename(path) === "index.html") continue;
    assets.set(`app/${relative(APP_DIR, path).split(sep).join("/")}`, assetOf(path));
  }
  for (const entry of VENDOR_FILES) {
    const source = join(packageDir(entry.pkg), entry.file);
    const paths = statSync(source).isDirectory() ? filesUnder(source).filter((p) => TYPES[extname(p)] !== undefined) : [source];
    for (const path of paths) {
      const below = path === source ? "" : `/${relative(source, path).split(sep).join("/")}`;
      assets.set(`vendor/${entry.url}${below}`, assetOf(path));
    }
  }
  const hash = createHash("sha256");
  for (const [path, asset] of [...assets].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(path).update("\0").update(asset.body).update("\0");
  const build = hash.digest("hex").slice(0, 16);
  const base = `${CONSOLE_PATH}/${build}`;
  const importMap = JSON.stringify({ imports: Object.fromEntries(Object.entries(IMPORTS).map(([name, file]) => [name, `${base}/vendor/${file}`])) });
  const page = readFileSync(join(APP_DIR, "index.html"), "utf8").replaceAll("{{base}}", base).replace("{{importmap}}", importMap).replace("{{region}}", escapeAttribute(region));
  const mapHash = createHash("sha256").update(importMap).digest("base64");
  const csp = [
    "default-src 'none'",
    `script-src 'self' 'sha256-${mapHash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return { build, page: Buffer.from(page), csp, assets };
}

function assetOf(path: string): Asset {
  const type = TYPES[extname(path)];
  if (type === undefined) throw new Error(`console file of an unknown type: ${path}`);
  return { type, body: readFileSync(path) };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A package's folder, found from its main entry (not every package exports its package.json). */
function packageDir(name: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  while (basename(dir) !== name.split("/").at(-1) || basename(dirname(dir)) !== "node_modules") {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package ${name} not found`);
    dir = parent;
  }
  return dir;
}

function escapeAttribute(text: string): string {
  return text.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}
