import type { FastifyError } from "fastify";
import { QuiverError, isQuiverError } from "../../core/errors.js";

/** Errors Fastify raises before a route handler runs (body too large, bad content) in neutral terms. */
export function toQuiverError(error: unknown): QuiverError {
  if (isQuiverError(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") return new QuiverError("RequestTooLarge", "The request body is larger than Quiver accepts.");
  if (typeof fastifyError.statusCode === "number" && fastifyError.statusCode < 500) {
    return new QuiverError("MalformedRequest", fastifyError.message ?? "The request is malformed.");
  }
  return new QuiverError("Internal", "Internal error", { cause: error });
}
