import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { QuiverError } from "../core/errors.js";
import { toQuiverError } from "../dialects/shared/fastify-errors.js";
import { answerRequestError } from "../dialects/shared/pipeline.js";
import type { WireAnswer } from "../dialects/shared/wire-answer.js";
import { DIALECTS, ROOT_DIALECT } from "./dialects.js";
import { QUIVER_API_PREFIX, quiverErrorAnswer } from "./quiver-api.js";

/**
 * Which vendor's envelope answers a failure that no dialect's Fastify scope can own, because
 * nothing was routed: Node's HTTP parser refused the bytes before a request existed (headers
 * too large, a timeout, not HTTP, CONNECT, an unsupported Expect), or Fastify's router could
 * not read the path (bad percent-encoding). Only here is the target read: its first path
 * segment against the prefixes each dialect declares, else the dialect served at `/`.
 * Everything that is routed is answered by the scope it was routed into.
 */
export function errorAnswerFor(target: string, error: QuiverError, requestId: string = randomUUID()): WireAnswer {
  // An absolute-form target (`GET http://host/v2/... HTTP/1.1`) is judged by its path.
  const path = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
  const first = /^(\/[^/?#]*)/.exec(path)?.[1];
  if (first === QUIVER_API_PREFIX) return quiverErrorAnswer(error, requestId);
  const owner = DIALECTS.find((dialect) => first !== undefined && dialect.prefixes.includes(first)) ?? ROOT_DIALECT;
  return owner.errorAnswer(error, requestId);
}

/** Fastify's router could not read the path (`frameworkErrors`): no route, so no dialect scope. */
export async function answerUnroutable(request: FastifyRequest, reply: FastifyReply, error: unknown, bodyLimit: number): Promise<void> {
  await answerRequestError(request, reply, toQuiverError(error, bodyLimit), error, (quiverError, requestId) => errorAnswerFor(request.url, quiverError, requestId));
}

/** What fails on a route outside every dialect (`/healthz`) is answered as the dialect at `/` answers, unless the listener names another envelope. */
export async function answerOutsideDialects(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  bodyLimit: number,
  errorAnswer: (error: QuiverError, requestId: string) => WireAnswer = ROOT_DIALECT.errorAnswer,
): Promise<void> {
  await answerRequestError(request, reply, toQuiverError(error, bodyLimit), error, errorAnswer);
}
