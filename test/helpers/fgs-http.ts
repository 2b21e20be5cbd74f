import { createHash, createHmac } from "node:crypto";
import { request } from "node:http";

/**
 * A deliberately independent SDK-HMAC-SHA256 signer for raw HTTP tests (written from the
 * reference, not from Quiver's verifier), plus a tiny HTTP client.
 */
const enc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface SignOptions {
  readonly method: string;
  readonly host: string;
  /** The path to sign (with raw `:`), and to send unless `sendPath` is given. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly ak: string;
  readonly sk: string;
  readonly date: string;
  /** The payload hash to sign instead of the body's (e.g. `UNSIGNED-PAYLOAD`, sent as X-Sdk-Content-Sha256). */
  readonly payloadHash?: string;
}

export function signHeaders(o: SignOptions): Record<string, string> {
  const headers: Record<string, string> = { ...o.headers, host: o.host, "x-sdk-date": o.date };
  const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const uri = o.path.split("/").map((s) => enc(decodeURIComponent(s))).join("/");
  const query = Object.keys(o.query ?? {}).sort().map((k) => `${enc(k)}=${enc(o.query?.[k] ?? "")}`).join("&");
  const canonical = [
    o.method,
    uri.endsWith("/") ? uri : `${uri}/`,
    query,
    names.map((n) => `${n}:${lower[n] ?? ""}\n`).join(""),
    names.join(";"),
    o.payloadHash ?? createHash("sha256").update(o.body).digest("hex"),
  ].join("\n");
  const toSign = ["SDK-HMAC-SHA256", o.date, createHash("sha256").update(canonical).digest("hex")].join("\n");
  const sig = createHmac("sha256", o.sk).update(toSign).digest("hex");
  return { ...headers, authorization: `SDK-HMAC-SHA256 Access=${o.ak}, SignedHeaders=${names.join(";")}, Signature=${sig}` };
}

export function sdkDate(ms: number = Date.now()): string {
  return `${new Date(ms).toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  json(): Record<string, unknown>;
}

export function send(port: number, method: string, path: string, headers: Readonly<Record<string, string>>, body: Buffer = Buffer.alloc(0)): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: { ...headers, "content-length": String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

export interface Caller {
  readonly port: number;
  readonly projectId: string;
  readonly ak: string;
  readonly sk: string;
}

/** Signs and sends one request; `body` objects are JSON-encoded, Buffers sent as they are. */
export function call(
  c: Caller,
  method: string,
  path: string,
  body?: unknown,
  extra: { query?: Record<string, string>; headers?: Record<string, string>; date?: string; sendPath?: string } = {},
): Promise<HttpAnswer> {
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  const headers = signHeaders({
    method,
    host: `127.0.0.1:${c.port}`,
    path,
    ...(extra.query ? { query: extra.query } : {}),
    headers: { "content-type": "application/json", "x-project-id": c.projectId, ...extra.headers },
    body: bytes,
    ak: c.ak,
    sk: c.sk,
    date: extra.date ?? sdkDate(),
  });
  const qs = extra.query ? `?${new URLSearchParams(extra.query).toString()}` : "";
  return send(c.port, method, `${extra.sendPath ?? path}${qs}`, headers, bytes);
}
