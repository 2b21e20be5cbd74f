import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import type { QuiverError } from "../../core/errors.js";

/**
 * Requests a plain Node handler serves before Fastify routes them: the trigger URLs, whose
 * per-request cost is the server's main-thread CPU (Fastify's routing, hooks, body parser and
 * child logger are a measurable share of a trigger request). The server (src/server/http-server.ts)
 * offers each request here first; a handler that declines it leaves it to Fastify untouched.
 */

/** What the server lends a handler: its own checks, and whether it is closing. */
export interface RawServer {
  /** The server's admission checks (Host, body budget): null, or the refusal. */
  readonly admit: (req: IncomingMessage) => QuiverError | null;
  /** True once the server is closing: an answer then closes its connection, as Fastify's do. */
  readonly closing: () => boolean;
  readonly log: FastifyBaseLogger;
}

/** Serves the request and returns true, or returns false (having touched nothing) to leave it to Fastify. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The Fastify decorator under which a server's raw routes are found (`app.getDecorator<RawRoutes>(RAW_ROUTES)`). */
export const RAW_ROUTES = "rawRoutes";

export class RawRoutes {
  readonly server: RawServer;
  readonly #routes: Array<{ readonly prefix: string; readonly handler: RawHandler }> = [];

  constructor(server: RawServer) {
    this.server = server;
  }

  /** Offers every request whose target starts with `prefix` (as sent, case and all) to `handler`. */
  add(prefix: string, handler: RawHandler): void {
    this.#routes.push({ prefix, handler });
  }

  /** True when a raw handler took the request. */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? "";
    for (const route of this.#routes) {
      if (url.startsWith(route.prefix)) return route.handler(req, res);
    }
    return false;
  }
}
