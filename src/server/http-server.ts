import type { IncomingMessage, ServerResponse } from "node:http";
import Fastify, { LogController, type FastifyInstance } from "fastify";
import type { QuiverConfig } from "../config/config.js";
import type { QuiverError } from "../core/errors.js";
import { RAW_ROUTES, RawRoutes } from "../dialects/shared/raw-routes.js";
import { RequestAdmission } from "./admission.js";
import { ConnectionRequests, answerConnect, answerExpectation, clientErrorHandler } from "./client-errors.js";
import { answerOutsideDialects, answerUnroutable } from "./envelopes.js";
import { ROOT_DIALECT } from "./dialects.js";
import type { WireAnswer } from "../dialects/shared/wire-answer.js";

/**
 * Fastify with Quiver's limits: time to send headers and a whole request (never the time to
 * answer: a synchronous invoke may run 900 s), idle keep-alive, open connections, header and
 * body sizes. Every refusal, from Node's parser up to Fastify's router, is answered in the
 * envelope of the vendor whose API the request was for: by the dialect's own scope once it is
 * routed, by `errorAnswerFor` before that.
 *
 * Each request is first offered to the server's raw routes (the trigger URLs, served by a plain
 * Node handler: dialects/shared/raw-routes.ts); what they decline goes to Fastify.
 */
export function createHttpServer(config: QuiverConfig, outsideScopes: (error: QuiverError, requestId: string) => WireAnswer = ROOT_DIALECT.errorAnswer): FastifyInstance {
  const { http, limits } = config;
  const requests = new ConnectionRequests();
  const app = Fastify({
    logger: { level: config.logLevel },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.maxBodyBytes,
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    http: {
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.requestTimeoutMs,
      maxHeaderSize: http.maxHeaderBytes,
      // Node would answer a bare 400; the hook below answers in the vendor's envelope.
      requireHostHeader: false,
      // Node checks both timeouts on this interval (default 30 s, which would blur a 10 s limit).
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(http.headersTimeoutMs / 4))),
    },
    clientErrorHandler: clientErrorHandler(http, requests),
    frameworkErrors: (error, request, reply) => void answerUnroutable(request, reply, error, limits.maxBodyBytes),
    // While stopping, a request that arrives on a connection still open is served (and the
    // connection closed after it) rather than refused with Fastify's own 503 body: the store
    // closes only once every connection has.
    return503OnClosing: false,
  });
  app.server.maxConnections = http.maxConnections;
  const admission = new RequestAdmission(http.bodyBudgetBytes, limits.maxBodyBytes);
  let closing = false;
  const raw = new RawRoutes({ admit: (req) => admission.admit(req), closing: () => closing, log: app.log });
  app.decorate(RAW_ROUTES, raw);
  offerFirst(app, raw);
  // Registered after the handler, as Fastify's own was: the request is tracked after the handler saw it.
  app.server.on("request", requests.track);
  app.server.on("connect", answerConnect);
  app.server.on("checkExpectation", answerExpectation);
  // When Fastify starts closing (its own answers then say `Connection: close`).
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  app.addHook("onClose", (_instance, done) => {
    admission.stop();
    done();
  });
  app.addHook("onRequest", (request, _reply, done) => {
    const refusal = admission.admit(request.raw);
    if (refusal) return done(refusal);
    done();
  });
  // Vendor SDKs sign the exact bytes they send: keep every body raw and let dialects parse it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  // Each dialect's plugin answers failures (and unknown paths) in its scope; this is for the rest
  // (`/healthz`, and on the trigger listener every path outside the trigger URLs).
  app.setErrorHandler(async (error, request, reply) => answerOutsideDialects(request, reply, error, limits.maxBodyBytes, outsideScopes));
  return app;
}

/**
 * Puts `raw` in front of Fastify on the server Fastify made (with Quiver's timeouts and limits):
 * its request listener is replaced by one that offers each request to `raw` first. A server
 * Fastify makes later for another address of the same host name (`--host localhost`) keeps
 * Fastify's listener and serves every request through Fastify. (Fastify's `serverFactory` would
 * put the handler on every server, but with it Fastify binds only the first address.)
 */
function offerFirst(app: FastifyInstance, raw: RawRoutes): void {
  const listeners = app.server.listeners("request");
  const [fastifyHandler] = listeners;
  if (listeners.length !== 1 || typeof fastifyHandler !== "function") throw new Error(`expected Fastify's one request listener, found ${listeners.length}`);
  const handler = fastifyHandler as (req: IncomingMessage, res: ServerResponse) => void;
  app.server.removeListener("request", handler);
  app.server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (!raw.take(req, res)) handler(req, res);
  });
}
