import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { QuiverError } from "../../core/errors.js";
import { bodyLengthMismatch, bodyTooLarge, invalidMediaType, toQuiverError } from "../shared/fastify-errors.js";
import type { RawHandler, RawServer } from "../shared/raw-routes.js";
import type { HttpAnswer } from "../shared/trigger-http.js";
import type { WireAnswer } from "../shared/wire-answer.js";
import type { DoorRequest } from "./door.js";

/**
 * The front door as a plain Node handler, taken before Fastify routes the request: on this
 * path a trigger request costs no router lookup, hook chain, content-type parser or child
 * logger on the main thread. What a client sees is what Fastify's route for the same URL
 * (plugin.ts) answers, byte for byte: the server's admission checks, the body read with the
 * same limit and refusals, the answer's headers completed as Fastify completes them.
 *
 * Requests whose handling by Fastify this file does not repeat are declined and go to Fastify
 * as before: a method outside those Fastify routes to the door (or QUERY, whose body rule is
 * its own), and a path with percent-encoding (Fastify's router decodes it, or refuses it).
 */

/** Fastify's own media-type reader: what it takes as a valid Content-Type, on a request or an answer. */
const ContentType = createRequire(import.meta.url)("fastify/lib/content-type.js") as { from(value: unknown): { readonly isValid: boolean } };

/** The methods Fastify 5 routes to a `.all` route, as it treats their bodies (lib/handle-request.js). */
const BODYLESS = new Set(["GET", "HEAD", "TRACE"]);
const BODYWITH = new Set(["DELETE", "OPTIONS", "PATCH", "PUT", "POST"]);

const EMPTY = Buffer.alloc(0);

type ErrorAnswer = (error: QuiverError, requestId: string) => WireAnswer;

/** Serves the URLs under one prefix with `serve`; refusals before the door runs in `errorAnswer`. */
export function rawDoor(serve: (request: DoorRequest) => Promise<HttpAnswer>, errorAnswer: ErrorAnswer, bodyLimit: number, server: RawServer): RawHandler {
  return (req, res) => {
    const method = req.method ?? "";
    if (!(BODYLESS.has(method) || BODYWITH.has(method)) || !plainPath(req.url ?? "")) return false;
    // As Fastify's router does while the server closes (`return503OnClosing: false`): served, then closed.
    if (server.closing()) res.setHeader("Connection", "close");
    const refuse = (error: QuiverError, original: unknown, close = false): void => {
      if (!error.isUserError) server.log.error({ err: original }, "request failed before reaching an API");
      const headers: Record<string, string | string[]> = {};
      if (close || !req.complete) headers["connection"] = "close";
      const answer = errorAnswer(error, randomUUID());
      for (const [name, value] of Object.entries(answer.headers)) headers[name.toLowerCase()] = value;
      sendRaw(req, res, answer.status, headers, answer.body);
    };
    const refusal = server.admit(req);
    if (refusal) {
      refuse(refusal, refusal);
      return true;
    }
    readBody(req, bodyLimit, (error, body) => {
      if (error) return refuse(error.quiver, error.original, error.close);
      serve(doorRequestOf(req, body))
        .then((answer) => sendRaw(req, res, answer.status, answerHeaders(answer), answer.body))
        // As Fastify's error handler would (the door answers its own failures, so this is the unforeseen).
        .catch((failure: unknown) => refuse(toQuiverError(failure, bodyLimit), failure))
        .catch((failure: unknown) => {
          server.log.error({ err: failure }, "HTTP trigger request failed");
          res.destroy();
        });
    });
    return true;
  };
}

/** No percent-encoding before the query: Fastify's router would route it unchanged to the door. */
function plainPath(url: string): boolean {
  const percent = url.indexOf("%");
  if (percent < 0) return true;
  const end = url.search(/[?#]/);
  return end >= 0 && end < percent;
}

function doorRequestOf(req: IncomingMessage, body: Buffer): DoorRequest {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return {
    method: req.method ?? "GET",
    headers: req.headers,
    rawPath: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? "" : url.slice(q + 1),
    body,
    // Fastify's `request.ip` without trustProxy (Quiver sets none).
    sourceIp: req.socket.remoteAddress as string,
    rawHeaders: req.rawHeaders,
  };
}

interface BodyError {
  readonly quiver: QuiverError;
  readonly original: unknown;
  /** Fastify closes the connection after a body it could not read. */
  readonly close: boolean;
}

/**
 * The body as Fastify's buffer parser reads it for the door's route: none for GET, HEAD and
 * TRACE, nor without Content-Type, Content-Length and Transfer-Encoding; a Content-Type that is
 * no media type refused; at most `limit` bytes, refused from the declared length when it is
 * over, else as soon as more arrived.
 */
function readBody(req: IncomingMessage, limit: number, done: (error: BodyError | null, body: Buffer) => void): void {
  if (BODYLESS.has(req.method ?? "")) return done(null, EMPTY);
  const { headers } = req;
  const type = headers["content-type"];
  if (type === undefined) {
    if (headers["transfer-encoding"] === undefined && (headers["content-length"] === undefined || headers["content-length"] === "0")) return done(null, EMPTY);
  } else if (!ContentType.from(type).isValid) {
    return done({ quiver: invalidMediaType(), original: null, close: false }, EMPTY);
  }
  const declared = Number(headers["content-length"]);
  if (declared > limit) return done({ quiver: bodyTooLarge(limit), original: null, close: true }, EMPTY);
  const chunks: Buffer[] = [];
  let received = 0;
  const stop = (): void => {
    req.removeListener("data", onData);
    req.removeListener("end", onEnd);
    req.removeListener("error", onEnd);
  };
  function onData(chunk: Buffer): void {
    received += chunk.length;
    if (received > limit) {
      stop();
      done({ quiver: bodyTooLarge(limit), original: null, close: true }, EMPTY);
      return;
    }
    chunks.push(chunk);
  }
  function onEnd(error?: Error & { statusCode?: number }): void {
    stop();
    if (error != null) {
      if (!(typeof error.statusCode === "number" && error.statusCode >= 400)) error.statusCode = 400;
      return done({ quiver: toQuiverError(error, limit), original: error, close: true }, EMPTY);
    }
    if (!Number.isNaN(declared) && received !== declared) return done({ quiver: bodyLengthMismatch(), original: null, close: true }, EMPTY);
    done(null, Buffer.concat(chunks, received));
  }
  req.on("data", onData);
  req.on("end", onEnd);
  req.on("error", onEnd);
  req.resume();
}

/** An answer's headers by lower-case name; a repeated name keeps each value (several header lines). */
export function answerHeaders(answer: HttpAnswer): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of answer.headers) {
    const key = name.toLowerCase();
    const seen = headers[key];
    headers[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return headers;
}

/**
 * Sends a body as Fastify's `reply.send(buffer)` does: a Content-Type that is no valid media
 * type (or none) becomes `application/octet-stream`; a 1xx or 204 answer goes without
 * Content-Type, Content-Length or body; else Content-Length is the body's (a HEAD answer keeps
 * one it has).
 */
function sendRaw(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string | string[]>, body: Buffer): void {
  if (!ContentType.from(headers["content-type"]).isValid) headers["content-type"] = "application/octet-stream";
  if ((status >= 100 && status < 200) || status === 204) {
    delete headers["content-type"];
    delete headers["content-length"];
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const length = headers["content-length"];
  if (!length || (req.method !== "HEAD" && Number(length) !== body.length)) headers["content-length"] = String(body.length);
  res.writeHead(status, headers);
  res.end(body);
}
