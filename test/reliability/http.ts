import { Agent, request } from "node:http";

/** One request exactly as the fuzz sends it. */
export interface WireRequest {
  readonly method: string;
  /** Path and query, sent as they are (malformed encodings included). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export type WireAnswer =
  | { readonly kind: "answer"; readonly status: number; readonly headers: Readonly<Record<string, string | string[] | undefined>>; readonly body: Buffer }
  | { readonly kind: "no answer"; readonly error: string };

/** Keep-alive connections shared by the fuzz workers. */
export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

/**
 * Sends one request over loopback and collects the whole answer. A request the server never
 * answers within `timeoutMs`, or a connection closed without an answer, is reported as such.
 * `agent: false` uses a fresh connection: a kept-alive socket the server has just closed
 * would otherwise fail the next request with ECONNRESET, which says nothing about the server.
 */
export function send(port: number, req: WireRequest, agent: Agent | false, timeoutMs: number): Promise<WireAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: WireAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    let r: ReturnType<typeof request>;
    try {
      r = request({ host: "127.0.0.1", port, method: req.method, path: req.path, agent, headers: { ...req.headers, "content-length": String(req.body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => done({ kind: "no answer", error: `response error after HTTP ${res.statusCode}: ${e.message}` }));
        res.on("end", () => done({ kind: "answer", status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
    } catch (error) {
      // Node refused to build the request (a header value it will not send): a generator bug.
      throw new Error(`cannot send ${req.method} ${req.path.slice(0, 200)}: ${(error as Error).message}`);
    }
    const timer = setTimeout(() => {
      done({ kind: "no answer", error: `no answer within ${timeoutMs} ms` });
      r.destroy();
    }, timeoutMs);
    r.on("error", (e) => done({ kind: "no answer", error: e.message }));
    r.end(req.body);
  });
}
