import type { IncomingMessage } from "node:http";
import { QuiverError } from "../core/errors.js";
import { BodyBudget } from "./body-budget.js";
import { IdleCollector } from "./idle-gc.js";

/**
 * What the server checks of every request before anything serves it, written once for the two
 * ways a request is served (Fastify's `onRequest` hook, and the trigger URLs taken before
 * Fastify): an HTTP/1.1 request names its Host, a large body is noted for the idle collection,
 * and a body must fit the server's budget of bodies in flight (held until the request is over).
 */
export class RequestAdmission {
  readonly #bodies: BodyBudget;
  readonly #collector = new IdleCollector();
  readonly #maxBodyBytes: number;

  constructor(bodyBudgetBytes: number, maxBodyBytes: number) {
    this.#bodies = new BodyBudget(bodyBudgetBytes);
    this.#maxBodyBytes = maxBodyBytes;
  }

  /** Null when the request may be served, else why it is refused. */
  admit(req: IncomingMessage): QuiverError | null {
    if (req.httpVersion === "1.1" && req.headers.host === undefined) return new QuiverError("MalformedRequest", "An HTTP/1.1 request must carry a Host header.");
    this.#collector.noteBody(Number(req.headers["content-length"] ?? 0) || 0);
    if (!this.#bodies.admit(req, this.#maxBodyBytes)) {
      return new QuiverError("RateLimited", `Too many large request bodies are being received at once (at most ${Math.round(this.#bodies.capacity / 2 ** 20)} MB in all); send this one again shortly.`);
    }
    return null;
  }

  stop(): void {
    this.#collector.stop();
  }
}
