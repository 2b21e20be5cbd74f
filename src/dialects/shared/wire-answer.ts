import { STATUS_CODES } from "node:http";
import type { FastifyReply } from "fastify";

/**
 * An answer as it goes on the wire: status, headers, body bytes. Dialects render their error
 * envelopes into this shape once; it is then sent through Fastify or, when Node's HTTP parser
 * failed before any request object existed, written to the socket directly.
 */
export interface WireAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** A JSON answer. The body is bytes, so Fastify adds no `charset` (the Tencent Python SDK wants exactly `application/json`). */
export function jsonAnswer(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): WireAnswer {
  return { status, headers: { "content-type": "application/json", ...headers }, body: Buffer.from(JSON.stringify(body)) };
}

export async function sendAnswer(reply: FastifyReply, answer: WireAnswer): Promise<void> {
  await reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/** The answer as a complete HTTP/1.1 response that also announces the connection is closing. */
export function rawHttpResponse(answer: WireAnswer, method = "GET"): Buffer {
  const head = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? "Error"}`];
  for (const [name, value] of Object.entries(answer.headers)) head.push(`${name}: ${value}`);
  head.push(`content-length: ${answer.body.length}`, "connection: close", "", "");
  // The answer to a HEAD request has the headers of the answer, never its body.
  const body = method.toUpperCase() === "HEAD" ? Buffer.alloc(0) : answer.body;
  return Buffer.concat([Buffer.from(head.join("\r\n"), "latin1"), body]);
}
