import type { FastifyError } from "fastify";
import { QuiverError, isQuiverError } from "../../core/errors.js";

/**
 * Errors Fastify raises before a route handler runs (body too large, bad URL, bad content) in
 * neutral terms, so each dialect renders them in its own envelope. `bodyLimit` names the limit
 * in the message when it is known.
 */
export function toQuiverError(error: unknown, bodyLimit?: number): QuiverError {
  if (isQuiverError(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return bodyTooLarge(bodyLimit);
    case "FST_ERR_BAD_URL":
      return new QuiverError("InvalidParameter", `The request path is not validly percent-encoded (${fastifyError.message ?? ""}).`, { parameter: "path" });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return invalidMediaType();
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return bodyLengthMismatch();
  }
  if (typeof fastifyError.statusCode === "number" && fastifyError.statusCode < 500) {
    return new QuiverError("MalformedRequest", fastifyError.message ?? "The request is malformed.");
  }
  return new QuiverError("Internal", "Internal error", { cause: error });
}

/** The same refusals for a request read without Fastify (dialects/http-door/raw.ts). */
export const bodyTooLarge = (bodyLimit?: number): QuiverError =>
  new QuiverError("RequestTooLarge", `The request body is larger than Quiver accepts${bodyLimit === undefined ? "" : ` (at most ${bodyLimit} bytes)`}.`);
export const invalidMediaType = (): QuiverError => new QuiverError("MalformedRequest", "The Content-Type header is not a valid media type.");
export const bodyLengthMismatch = (): QuiverError => new QuiverError("MalformedRequest", "The request body's length does not match its Content-Length header.");
