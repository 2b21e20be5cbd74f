import type { FastifyInstance } from "fastify";
import type { ErrorCode, QuiverError } from "../core/errors.js";
import { answerFailuresIn } from "../dialects/shared/pipeline.js";
import type { WireAnswer } from "../dialects/shared/wire-answer.js";

/**
 * Quiver's own API (what neither vendor has): the live tail and the virtual clock, under one
 * prefix whose every refusal — an unknown path or method, a body over the limit, a path that
 * is not validly percent-encoded, a failed signature — has one shape:
 * `{"error": {"code", "message"}, "requestId"}` with an HTTP status, the code being the core's.
 */
export const QUIVER_API_PREFIX = "/quiver";

/** The largest body Quiver's own API takes (the clock's `{"ms": N}`). */
const QUIVER_API_MAX_BODY_BYTES = 64 * 1024;

const STATUS: Partial<Record<ErrorCode, number>> = {
  AuthMissing: 401,
  AuthMalformed: 401,
  AuthUnknownKey: 401,
  AuthSignatureMismatch: 401,
  AuthExpired: 401,
  AuthForbidden: 403,
  NamespaceNotFound: 404,
  FunctionNotFound: 404,
  VersionNotFound: 404,
  LayerNotFound: 404,
  UnknownAction: 404,
  RequestTooLarge: 413,
  RequestTimeout: 408,
  RateLimited: 429,
  Internal: 500,
};

export function quiverErrorAnswer(error: QuiverError, requestId: string): WireAnswer {
  const message = error.code === "Internal" ? "An internal error occurred; see the Quiver log for the request id." : error.message;
  return {
    status: STATUS[error.code] ?? 400,
    headers: { "content-type": "application/json; charset=utf-8" },
    body: Buffer.from(JSON.stringify({ error: { code: error.code, message }, requestId })),
  };
}

/** Registers Quiver's own API: `routes` adds its routes to a scope at `/quiver` (paths relative to it). */
export async function registerQuiverApi(app: FastifyInstance, routes: (scope: FastifyInstance) => void): Promise<void> {
  await app.register(
    async (scope) => {
      answerFailuresIn(scope, quiverErrorAnswer, QUIVER_API_MAX_BODY_BYTES);
      routes(scope);
    },
    { prefix: QUIVER_API_PREFIX },
  );
}
