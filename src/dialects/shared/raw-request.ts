import type { FastifyRequest } from "fastify";

/** A request as the signature checks need it: the path and query exactly as sent, the raw body. */
export interface RawHttpRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly rawPath: string;
  /** The query exactly as sent, without the leading `?`. */
  readonly rawQuery: string;
  readonly body: Buffer;
}

export function rawRequestOf(request: FastifyRequest): RawHttpRequest {
  const url = request.raw.url ?? "/";
  const q = url.indexOf("?");
  return {
    method: request.method,
    headers: request.headers,
    rawPath: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? "" : url.slice(q + 1),
    body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
  };
}
