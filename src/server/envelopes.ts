import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { QuiverError } from "../core/errors.js";
import { fgsErrorAnswer } from "../dialects/fgs/plugin.js";
import { scfErrorAnswer } from "../dialects/scf/plugin.js";
import { toQuiverError } from "../dialects/shared/fastify-errors.js";
import { sendAnswer, type WireAnswer } from "../dialects/shared/wire-answer.js";

/** First path segments of FunctionGraph's APIs (v2, legacy v1.0) and of the IAM lookup its SDKs make. */
const FGS_ROOTS: ReadonlySet<string> = new Set(["v2", "v1.0", "v3"]);

/**
 * The one rule for which vendor's envelope an error is answered in, by request target: SCF's API
 * lives at `/` and signs no path, so every target that is not FunctionGraph's is SCF's. Route
 * errors, 404s, bad URLs and failures of Node's HTTP parser all go through here.
 */
export function errorAnswerFor(target: string, error: QuiverError, requestId: string = randomUUID()): WireAnswer {
  return isFgsTarget(target) ? fgsErrorAnswer(error, requestId) : scfErrorAnswer(error, requestId);
}

function isFgsTarget(target: string): boolean {
  // An absolute-form target (`GET http://host/v2/... HTTP/1.1`) is judged by its path.
  const path = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
  const first = /^\/([^/?#]*)/.exec(path)?.[1];
  return first !== undefined && FGS_ROOTS.has(first);
}

/**
 * Answers an error raised outside a dialect's handler (Fastify's body reader, router, 404).
 * When the body was not read to its end (over the limit), the connection is closed after the
 * answer instead of draining whatever else the client sends.
 */
export async function answerRequestError(request: FastifyRequest, reply: FastifyReply, error: unknown, bodyLimit: number): Promise<void> {
  const quiverError = toQuiverError(error, bodyLimit);
  if (!quiverError.isUserError) request.log.error({ err: error }, "request failed before reaching an API");
  if (!request.raw.complete) reply.header("connection", "close");
  await sendAnswer(reply, errorAnswerFor(request.url, quiverError));
}

/** The answer to a request no route serves: the dialect's unknown-action error. */
export async function answerNotFound(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const error = new QuiverError("UnknownAction", `No API answers ${request.method} ${request.url}.`);
  await sendAnswer(reply, errorAnswerFor(request.url, error));
}
