import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { QuiverConfig } from "../config/config.js";
import { QuiverError } from "../core/errors.js";
import { rawHttpResponse } from "../dialects/shared/wire-answer.js";
import { errorAnswerFor } from "./envelopes.js";

/** How long a closing connection keeps reading (and discarding) so the client can read the answer. */
const LINGER_MS = 2_000;

/**
 * `CONNECT` (Node would destroy the socket without a word): Quiver is no proxy. The target is
 * `host:port`, so the answer is SCF's.
 */
export function answerConnect(req: IncomingMessage, socket: Socket): void {
  refuse(socket, { method: "CONNECT", target: req.url ?? "/" }, new QuiverError("UnknownAction", `Quiver is not a proxy: CONNECT ${req.url ?? ""} is not served.`));
}

/** An `Expect` other than `100-continue` (Node would answer a bare 417). */
export function answerExpectation(req: IncomingMessage, res: ServerResponse): void {
  const error = new QuiverError("MalformedRequest", `The expectation "Expect: ${req.headers.expect ?? ""}" is not supported; only 100-continue is.`);
  const answer = errorAnswerFor(req.url ?? "/", error);
  res.writeHead(answer.status, { ...answer.headers, "content-length": answer.body.length, connection: "close" }).end(answer.body);
}

/** What Node passes to `clientError`: parser errors carry the bytes that failed (a Buffer). */
type ClientError = Error & { readonly code?: string; readonly rawPacket?: unknown };

/** The latest request each connection carried, so a timeout can name (and stop) the one in flight. */
export class ConnectionRequests {
  readonly #latest = new WeakMap<Socket, { readonly req: IncomingMessage; readonly res: ServerResponse }>();

  readonly track = (req: IncomingMessage, res: ServerResponse): void => {
    this.#latest.set(req.socket, { req, res });
  };

  latest(socket: Socket): { readonly req: IncomingMessage; readonly res: ServerResponse } | undefined {
    return this.#latest.get(socket);
  }
}

/**
 * Answers what Node's HTTP server refuses before Fastify sees a request: headers over the limit
 * (431), requests not received in time (408), bytes that are not HTTP (400). The answer is the
 * vendor envelope for the request's path (from the request in flight, else the request line in
 * the bytes that failed, else SCF's), then the connection is closed.
 */
export function clientErrorHandler(http: QuiverConfig["http"], requests: ConnectionRequests): (error: ClientError, socket: Socket) => void {
  const answered = new WeakSet<Socket>();
  return (error, socket) => {
    // After a parse error Node keeps feeding the parser whatever else arrives; answer once.
    if (error.code === "ECONNRESET" || socket.destroyed || answered.has(socket)) return;
    answered.add(socket);
    const latest = requests.latest(socket);
    const pending = latest && !latest.res.writableEnded ? latest : undefined;
    if (pending?.req.complete) {
      // What failed followed a whole request (pipelined bytes); that request is being served: answer after it.
      const line = requestLine(error.rawPacket) ?? { method: pending.req.method ?? "GET", target: pending.req.url ?? "/" };
      pending.res.once("finish", () => refuse(socket, line, neutralError(error, http, false)));
      return;
    }
    // The request in flight, if any, is the one that failed: it must not complete and run now.
    pending?.req.pause();
    if (pending?.res.headersSent) {
      socket.destroy();
      return;
    }
    const line = pending ? { method: pending.req.method ?? "GET", target: pending.req.url ?? "/" } : requestLine(error.rawPacket);
    if (line === undefined && error.code === "HPE_HEADER_OVERFLOW") {
      refuseUnknownRequest(socket);
      return;
    }
    refuse(socket, line ?? { method: "GET", target: latest?.req.url ?? "/" }, neutralError(error, http, pending !== undefined));
  };
}

/**
 * Writes the answer and closes: after our FIN the client gets a moment to read the answer
 * before the socket is destroyed, so the answer is not lost to a reset.
 */
function refuse(socket: Socket, line: RequestLine, error: QuiverError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawHttpResponse(errorAnswerFor(line.target, error), line.method));
  closeAfterLinger(socket);
}

/**
 * Headers over the limit in a chunk that does not start with the request line: the line came in
 * an earlier chunk, which Node's parser keeps to itself, so neither the method nor the path is
 * known. Any body would be wrong for a HEAD request (the client would read it as the start of a
 * next answer), and the path that picks the envelope is unknown too: the answer is a bare 431
 * without a body, which is right whatever the request was.
 */
function refuseUnknownRequest(socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end("HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
  closeAfterLinger(socket);
}

interface RequestLine {
  readonly method: string;
  readonly target: string;
}

function neutralError(error: ClientError, http: QuiverConfig["http"], requestStarted: boolean): QuiverError {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return new QuiverError("RequestTooLarge", `The request line and headers are larger than Quiver accepts (at most ${http.maxHeaderBytes} bytes).`);
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return new QuiverError("RequestTooLarge", "The chunk extensions of the request body are larger than Quiver accepts.");
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return requestStarted
        ? new QuiverError("RequestTimeout", `The request was not received in full within ${http.requestTimeoutMs / 1000} s.`)
        : new QuiverError("RequestTimeout", `The request headers were not received within ${http.headersTimeoutMs / 1000} s.`);
    case "HPE_INVALID_EOF_STATE":
      return new QuiverError("MalformedRequest", "The connection ended before the whole request arrived.");
    default:
      return new QuiverError("MalformedRequest", `The request is not valid HTTP/1.1 (${error.message}).`);
  }
}

/** The method and target of the request line at the start of `packet`, if it is there. */
function requestLine(packet: unknown): RequestLine | undefined {
  if (!Buffer.isBuffer(packet)) return undefined;
  const match = /^([A-Za-z-]+) +(\S+)/.exec(packet.subarray(0, 8192).toString("latin1"));
  return match?.[1] && match[2] ? { method: match[1], target: match[2] } : undefined;
}

function closeAfterLinger(socket: Socket): void {
  const destroy = (): void => {
    socket.destroy();
  };
  // Done once our answer is flushed and the client has closed its side (possibly already).
  const destroyWhenBothClosed = (): void => {
    if (socket.readableEnded && socket.writableFinished) destroy();
  };
  socket.once("end", destroyWhenBothClosed);
  socket.once("finish", destroyWhenBothClosed);
  socket.resume();
  const timer = setTimeout(destroy, LINGER_MS).unref();
  // The timer must not keep a closed socket (and the request buffered on it) reachable.
  socket.once("close", () => clearTimeout(timer));
}
