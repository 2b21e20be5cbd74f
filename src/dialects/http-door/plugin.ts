import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { QuiverError } from "../../core/errors.js";
import type { Dialect, DialectDeps } from "../shared/dialect.js";
import { answerFailuresIn } from "../shared/pipeline.js";
import { refusalOf, type HttpAnswer } from "../shared/trigger-http.js";
import type { WireAnswer } from "../shared/wire-answer.js";
import { RAW_ROUTES, type RawRoutes } from "../shared/raw-routes.js";
import { TriggerDoor, type DoorRequest } from "./door.js";
import { answerHeaders, rawDoor } from "./raw.js";
import { APIG_VENDOR, SCF_VENDOR, type Vendor } from "./vendors.js";

/**
 * The front door on a server: one scope per URL prefix (`/scf`, `/apig`), each answering what
 * fails before the door runs (a body over the limit, an unknown path under the prefix) in its
 * vendor's gateway shape. Both are `Dialect`s with no actions, so the server registers them with
 * the APIs, and a second listener (`--http-trigger-port`) with nothing else.
 *
 * Requests under `/scf/` and `/apig/` are served by a plain Node handler before Fastify routes
 * them (raw.ts: Fastify's per-request work is a measurable share of the main thread's CPU for a
 * trigger request); the Fastify route here serves what that handler leaves to Fastify (a
 * percent-encoded path, a method it does not take, the bare prefix), with the same answers.
 */

/**
 * The largest request body a trigger takes: both vendors pass at most 6 MB to a function
 * (an event of 6 MB, a web function's request of 6 MB).
 */
export const TRIGGER_MAX_BODY_BYTES = 6 * 1024 * 1024;

type Serve = (door: TriggerDoor, request: DoorRequest) => Promise<HttpAnswer>;

function doorPlugin(prefix: string, serve: Serve, errorAnswer: (error: QuiverError, requestId: string) => WireAnswer) {
  return async (app: FastifyInstance, deps: DialectDeps): Promise<void> => {
    const door = new TriggerDoor({
      service: deps.service,
      invocations: deps.invocations,
      accounts: deps.accounts,
      onInternalError: (error, requestId) => app.log.error({ err: error, requestId }, "HTTP trigger request failed"),
    });
    const raw = app.getDecorator<RawRoutes>(RAW_ROUTES);
    raw.add(`${prefix}/`, rawDoor((request) => serve(door, request), errorAnswer, TRIGGER_MAX_BODY_BYTES, raw.server));
    answerFailuresIn(app, errorAnswer, TRIGGER_MAX_BODY_BYTES);
    app.all("/*", { bodyLimit: TRIGGER_MAX_BODY_BYTES }, async (request: FastifyRequest, reply: FastifyReply) => {
      await sendHttpAnswer(reply, await serve(door, doorRequestOf(request)));
    });
  };
}

function doorRequestOf(request: FastifyRequest): DoorRequest {
  const url = request.raw.url ?? "/";
  const q = url.indexOf("?");
  return {
    method: request.method,
    headers: request.headers,
    rawPath: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? "" : url.slice(q + 1),
    body: Buffer.isBuffer(request.body) ? request.body : EMPTY,
    sourceIp: request.ip,
    rawHeaders: request.raw.rawHeaders,
  };
}

const EMPTY = Buffer.alloc(0);

/** Sends an answer whose header names may repeat: each repeated name goes out as several lines. */
async function sendHttpAnswer(reply: FastifyReply, answer: HttpAnswer): Promise<void> {
  await reply.code(answer.status).headers(answerHeaders(answer)).send(answer.body);
}

/** A refusal made before the door ran (Fastify's body limit, an unknown path), in a vendor's shape. */
function errorAnswerOf(vendor: Vendor) {
  return (error: QuiverError, requestId: string): WireAnswer => {
    const answer = vendor.refusal(refusalOf(error), error.code === "Internal" ? "An internal error occurred." : error.message, requestId);
    const headers: Record<string, string> = {};
    for (const [name, value] of [...answer.headers, ...vendor.idHeaders(requestId, null)]) headers[name] = value;
    return { status: answer.status, headers, body: answer.body };
  };
}

/** How the door answers on the trigger listener a path outside `/scf` and `/apig`. */
export const scfDoorError = errorAnswerOf(SCF_VENDOR);
const apigDoorError = errorAnswerOf(APIG_VENDOR);

/** SCF trigger URLs: `/scf/{appId}/{region}/{namespace}/{function}/{trigger}[/…]`. */
export const SCF_TRIGGER_DOOR: Dialect = {
  name: "scf-triggers",
  prefixes: ["/scf"],
  plugin: async (app, deps) => {
    await app.register(async (scope) => doorPlugin("/scf", (door, request) => door.serveScf(request), scfDoorError)(scope, deps), { prefix: "/scf" });
  },
  errorAnswer: scfDoorError,
  actionNames: new Set(),
};

/** FunctionGraph APIG trigger URLs: `/apig/{projectId}{path}`. */
export const APIG_TRIGGER_DOOR: Dialect = {
  name: "apig-triggers",
  prefixes: ["/apig"],
  plugin: async (app, deps) => {
    await app.register(async (scope) => doorPlugin("/apig", (door, request) => door.serveApig(request), apigDoorError)(scope, deps), { prefix: "/apig" });
  },
  errorAnswer: apigDoorError,
  actionNames: new Set(),
};
