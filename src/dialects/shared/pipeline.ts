import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from "fastify";
import { QuiverError, type ErrorCode } from "../../core/errors.js";
import { toQuiverError } from "./fastify-errors.js";
import { rawRequestOf, type RawHttpRequest } from "./raw-request.js";
import type { QuiverConfig } from "../../config/config.js";
import type { TokenLimiter } from "../../core/ports.js";
import { ActionRates } from "./rate-limiter.js";
import { sendAnswer, type WireAnswer } from "./wire-answer.js";

/**
 * An action as a dialect declares it, once: what runs, and how many calls per second one
 * account may make (the vendor's documented rate, else Quiver's own). The key it is declared
 * under is its wire name, which is also the key of `rateLimits.overrides`.
 */
export interface Action<Handler> {
  readonly handler: Handler;
  readonly ratePerSecond: number;
}

/**
 * A dialect's actions by wire name. A Map, not an object: the name comes from the caller, and
 * an object would also answer `constructor`, `toString` or `__proto__` from its prototype.
 */
export type ActionTable<Handler> = ReadonlyMap<string, Action<Handler>>;

export function actionTable<Handler>(declared: Readonly<Record<string, Action<Handler>>>): ActionTable<Handler> {
  return new Map(Object.entries(declared));
}

/** Every handler of a group at one rate. */
export function atRate<Name extends string, Handler>(ratePerSecond: number, handlers: Readonly<Record<Name, Handler>>): Record<Name, Action<Handler>> {
  const entries = Object.entries(handlers) as Array<[Name, Handler]>;
  return Object.fromEntries(entries.map(([name, handler]) => [name, { handler, ratePerSecond }])) as Record<Name, Action<Handler>>;
}

/** The documented rates of a table, by wire name. */
export function ratesOf(actions: ActionTable<unknown>): ReadonlyMap<string, number> {
  return new Map([...actions].map(([name, action]) => [name, action.ratePerSecond]));
}

/** What every call carries once it is authenticated, whatever the dialect. */
export interface Call {
  /** The account the signature proved; rate buckets are per account. */
  readonly accountName: string;
  /** The wire name the request asks for; undefined when it names none (e.g. no route matched). */
  readonly action: string | undefined;
}

/**
 * The parts of request handling that differ between vendors. Everything else (request id,
 * order of the steps, rate limit, logging, sending) is the pipeline's, written once.
 */
export interface DialectPipeline<C extends Call, Handler, Result> {
  /** Keeps the dialect's rate buckets apart from the others': "scf". */
  readonly name: string;
  /** How the log names the dialect: "SCF request failed". */
  readonly title: string;
  readonly actions: ActionTable<Handler>;
  /** Checks the signature and reads who calls and what they ask for. */
  authenticate(request: RawHttpRequest, nowMs: number): C;
  /** The refusal of a call that names no action of `actions`. */
  unknownAction(call: C, request: RawHttpRequest): QuiverError;
  /** Refusals that depend on the action being known, made before the call counts against the rate. */
  admit?(call: C): void;
  run(handler: Handler, call: C, requestId: string): Promise<Result>;
  /** The success answer on the wire. */
  render(result: Result, requestId: string): WireAnswer;
  /** The vendor's error envelope. */
  errorAnswer(error: QuiverError, requestId: string): WireAnswer;
}

/**
 * Told of every request a dialect answered: the action when it is one the dialect serves (null
 * otherwise, so a caller cannot make up new names), the core error code (null on success) and
 * how long the answer took. Metrics count them.
 */
export type ApiRequestObserver = (dialect: string, action: string | null, code: ErrorCode | null, seconds: number) => void;

/**
 * One request through a dialect: a fresh request id; authentication; the action (unknown names
 * refused); the dialect's own admission checks; the per-account, per-action rate; the handler;
 * the answer. Any failure is rendered in the dialect's envelope, and logged unless it is the
 * caller's mistake.
 */
export function pipelineHandler<C extends Call, Handler, Result>(
  dialect: DialectPipeline<C, Handler, Result>,
  limiter: TokenLimiter,
  settings: QuiverConfig["rateLimits"],
  observe: ApiRequestObserver = () => undefined,
): RouteHandlerMethod {
  const rates = new ActionRates(limiter, settings, dialect.name, ratesOf(dialect.actions));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const requestId = randomUUID();
    const started = performance.now();
    let known: string | null = null;
    try {
      const raw = rawRequestOf(request);
      const call = dialect.authenticate(raw, Date.now());
      const action = call.action === undefined ? undefined : dialect.actions.get(call.action);
      if (call.action === undefined || action === undefined) throw dialect.unknownAction(call, raw);
      known = call.action;
      dialect.admit?.(call);
      await rates.enforce(call.accountName, call.action);
      await sendAnswer(reply, dialect.render(await dialect.run(action.handler, call, requestId), requestId));
      observe(dialect.name, known, null, (performance.now() - started) / 1000);
    } catch (error) {
      const quiverError = toQuiverError(error);
      if (!quiverError.isUserError) request.log.error({ err: error, requestId }, `${dialect.title} request failed`);
      await sendAnswer(reply, dialect.errorAnswer(quiverError, requestId));
      observe(dialect.name, known, quiverError.code, (performance.now() - started) / 1000);
    }
  };
}

/**
 * Makes `scope` (a dialect's Fastify plugin) answer in `errorAnswer` whatever fails before its
 * handlers run: Fastify's body reader, the server's admission hooks, and requests for paths
 * under its prefix that no route serves. Encapsulation does the choosing, so nothing reads
 * the URL to find the envelope.
 */
export function answerFailuresIn(scope: FastifyInstance, errorAnswer: (error: QuiverError, requestId: string) => WireAnswer, bodyLimit: number): void {
  scope.setErrorHandler(async (error, request, reply) => answerRequestError(request, reply, toQuiverError(error, bodyLimit), error, errorAnswer));
  scope.setNotFoundHandler(async (request, reply) => {
    await sendAnswer(reply, errorAnswer(new QuiverError("UnknownAction", `No API answers ${request.method} ${request.url}.`), randomUUID()));
  });
}

/**
 * Answers an error raised outside a dialect's handler. When the body was not read to its end
 * (over the limit), the connection is closed after the answer instead of draining whatever
 * else the client sends.
 */
export async function answerRequestError(
  request: FastifyRequest,
  reply: FastifyReply,
  quiverError: QuiverError,
  original: unknown,
  errorAnswer: (error: QuiverError, requestId: string) => WireAnswer,
): Promise<void> {
  if (!quiverError.isUserError) request.log.error({ err: original }, "request failed before reaching an API");
  if (!request.raw.complete) reply.header("connection", "close");
  await sendAnswer(reply, errorAnswer(quiverError, randomUUID()));
}
