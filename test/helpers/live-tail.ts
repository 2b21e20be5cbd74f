/**
 * A client of `GET /quiver/v1/logs/tail`: the request signed with an account's Tencent keys
 * (TC3-HMAC-SHA256 over the GET, its path and query, written here from the algorithm, not from
 * Quiver's verifier) or Huawei keys (the independent SDK-HMAC-SHA256 signer), and the
 * server-sent events read as they arrive, each with the time it was received.
 */
import { createHash, createHmac } from "node:crypto";
import { request, type IncomingMessage } from "node:http";
import type { TestAccount } from "./accounts.js";
import { sdkDate, signHeaders } from "./fgs-http.js";

export const TAIL_PATH = "/quiver/v1/logs/tail";

export interface TailQuery {
  readonly function: string;
  readonly namespace?: string;
  readonly qualifier?: string;
}

const sha256 = (data: string): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest();

function queryString(query: TailQuery): string {
  return new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
}

/** TC3-HMAC-SHA256 over `GET {path}?{query}` (default the tail's path), the host signed without its port (as the Node SDK does). */
export function tc3TailHeaders(endpoint: string, keys: TestAccount["tencent"], rawQuery: string, options: { region?: string; timestamp?: number; path?: string } = {}): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  const host = endpoint.replace(/:\d+$/, "");
  const canonicalRequest = ["GET", options.path ?? TAIL_PATH, rawQuery, `host:${host}\n`, "host", sha256("")].join("\n");
  const scope = `${date}/scf/tc3_request`;
  const stringToSign = ["TC3-HMAC-SHA256", String(timestamp), scope, sha256(canonicalRequest)].join("\n");
  const signingKey = hmac(hmac(hmac(`TC3${keys.secretKey}`, date), "scf"), "tc3_request");
  const signature = createHmac("sha256", signingKey).update(stringToSign).digest("hex");
  return {
    Authorization: `TC3-HMAC-SHA256 Credential=${keys.secretId}/${scope}, SignedHeaders=host, Signature=${signature}`,
    "X-TC-Timestamp": String(timestamp),
    ...(options.region ? { "X-TC-Region": options.region } : {}),
  };
}

export interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
  /** `Date.now()` when the event's last byte was read. */
  readonly receivedAt: number;
}

/** An open tail (or its refusal). */
export interface Tail {
  readonly status: number;
  /** The refusal's JSON body; null for a stream. */
  readonly refusal: { error: { code: string; message: string }; requestId: string } | null;
  readonly events: readonly SseEvent[];
  /** The next event after the `seen` first ones that satisfies `match`, waiting up to `timeoutMs`. */
  next(match: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ended the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export type TailSigner = { tencent: TestAccount["tencent"]; region?: string } | { huawei: TestAccount["huawei"] };

/** Opens a tail signed by `signer`; resolves once the answer's headers arrived. */
export function openTail(url: string, query: TailQuery, signer: TailSigner): Promise<Tail> {
  const endpoint = url.replace(/^http:\/\//, "");
  const raw = queryString(query);
  const headers = "tencent" in signer
    ? tc3TailHeaders(endpoint, signer.tencent, raw, { region: signer.region })
    : signHeaders({ method: "GET", host: endpoint, path: TAIL_PATH, query: Object.fromEntries(new URLSearchParams(raw)), headers: {}, body: Buffer.alloc(0), ak: signer.huawei.accessKey, sk: signer.huawei.secretKey, date: sdkDate() });
  return openTailWith(url, `${TAIL_PATH}?${raw}`, headers);
}

/** Opens `path` with exactly these headers (to send broken signatures). */
export function openTailWith(url: string, path: string, headers: Record<string, string>): Promise<Tail> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: "GET", headers }, (res) => resolve(readTail(res, () => req.destroy())));
    req.on("error", reject);
    req.end();
  });
}

function readTail(res: IncomingMessage, close: () => void): Tail {
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let ended = false;
  let body = "";
  let buffer = "";
  res.setEncoding("utf8");
  const endedPromise = new Promise<void>((resolve) => {
    res.on("close", () => {
      ended = true;
      for (const wake of waiters) wake();
      resolve();
    });
  });
  const streaming = (res.headers["content-type"] ?? "").startsWith("text/event-stream");
  res.on("data", (chunk: string) => {
    if (!streaming) {
      body += chunk;
      return;
    }
    buffer += chunk;
    const receivedAt = Date.now();
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const parsed = parseEvent(block, receivedAt);
      if (parsed) events.push(parsed);
    }
    for (const wake of waiters) wake();
  });
  const tail: Tail = {
    status: res.statusCode ?? 0,
    get refusal() {
      return streaming || body === "" ? null : (JSON.parse(body) as Tail["refusal"]);
    },
    events,
    ended: endedPromise,
    next(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const look = (): boolean => {
          const found = events.find(match);
          if (found) {
            done();
            resolve(found);
            return true;
          }
          if (ended) {
            done();
            reject(new Error(`the stream ended without the event awaited; events: ${JSON.stringify(events.map((e) => e.event))}`));
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no such event within ${timeoutMs} ms; events: ${JSON.stringify(events)}`));
        }, timeoutMs);
        const wake = (): void => void look();
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        if (!look()) waiters.add(wake);
      });
    },
    close,
  };
  if (!streaming) void endedPromise;
  return tail;
}

/** One event block: `event:` and `data:` lines (comments, starting with `:`, are keep-alives). */
function parseEvent(block: string, receivedAt: number): SseEvent | null {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    if (field === "data") data.push(value);
  }
  if (data.length === 0) return null;
  return { event, data: JSON.parse(data.join("\n")) as Record<string, unknown>, receivedAt };
}
