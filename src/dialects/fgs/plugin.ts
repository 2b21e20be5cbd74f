import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AccountRegistry } from "../../accounts/accounts.js";
import { FGS_RATE_LIMITS, type QuiverConfig } from "../../config/config.js";
import { QuiverError } from "../../core/errors.js";
import type { InvocationService } from "../../core/invocations.js";
import type { FunctionService } from "../../core/service.js";
import type { RateLimiter } from "../../server/rate-limiter.js";
import { toQuiverError } from "../shared/fastify-errors.js";
import { rawRequestOf } from "../shared/raw-request.js";
import { ALIAS_OPERATIONS as A } from "./actions/aliases.js";
import type { FgsContext, FgsOperation, FgsResult } from "./actions/context.js";
import { FUNCTION_OPERATIONS as F } from "./actions/functions.js";
import { INVOKE_OPERATIONS as I } from "./actions/invoke.js";
import { LEGACY_OPERATIONS as L } from "./actions/legacy.js";
import { VERSION_OPERATIONS as V } from "./actions/versions.js";
import { fgsErrorBody } from "./errors.js";
import { matchRoute, pathSegments, projectOf, type OperationName, type Route } from "./router.js";
import { authenticate, type HuaweiAccount, type RawRequest } from "./transport.js";

export interface FgsDeps {
  readonly service: FunctionService;
  readonly invocations: InvocationService;
  readonly accounts: AccountRegistry;
  readonly config: QuiverConfig;
  readonly limiter: RateLimiter;
}

const OPERATIONS: Readonly<Record<OperationName, FgsOperation>> = {
  createFunction: F.createFunction,
  listFunctions: F.listFunctions,
  showFunctionConfig: F.showConfig,
  showFunctionCode: F.showCode,
  updateFunctionCode: F.updateCode,
  updateFunctionConfig: F.updateConfig,
  deleteFunction: F.deleteFunction,
  createFunctionVersion: V.createFunctionVersion,
  listFunctionVersions: V.listFunctionVersions,
  createVersionAlias: A.createVersionAlias,
  listVersionAliases: A.listVersionAliases,
  showVersionAlias: A.showVersionAlias,
  updateVersionAlias: A.updateVersionAlias,
  deleteVersionAlias: A.deleteVersionAlias,
  invokeFunction: I.invokeFunction,
  asyncInvokeFunction: I.asyncInvokeFunction,
  listAsyncInvocations: I.listAsyncInvocations,
  legacyCreateFunctionVersion: L.legacyPublish,
  legacyListFunctionVersions: L.legacyListVersions,
  legacyShowFunctionConfig: L.legacyShowConfig,
  legacyCreateVersionAlias: A.legacyCreateVersionAlias,
  legacyListVersionAliases: A.legacyListVersionAliases,
  legacyShowVersionAlias: A.legacyShowVersionAlias,
  legacyUpdateVersionAlias: A.legacyUpdateVersionAlias,
  legacyDeleteVersionAlias: A.legacyDeleteVersionAlias,
  legacyInvokeFunction: I.legacyInvokeFunction,
  legacyAsyncInvokeFunction: I.legacyAsyncInvokeFunction,
};

/** Paths this dialect answers, errors raised before its handlers included. */
export function isFgsPath(url: string): boolean {
  return url.startsWith("/v2/") || url.startsWith("/v1.0/") || url.startsWith("/v3/");
}

/**
 * The Huawei FunctionGraph dialect: the v2 API under `/v2/{project_id}/fgs/` and the legacy
 * v1.0 API under `/v1.0/{project_id}/fss/`. Routing is done here rather than by Fastify, so
 * that URNs with raw or encoded `:`/`!` and trailing slashes all reach the same operation and
 * every miss gets a FunctionGraph error body.
 */
export function registerFgs(app: FastifyInstance, deps: FgsDeps): void {
  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const requestId = randomUUID();
    try {
      const raw = rawRequestOf(request);
      const segments = pathSegments(raw.rawPath);
      const account = authenticate(raw, projectOf(segments), deps.accounts, Date.now());
      const route = matchRoute(request.method, segments);
      if (!route) throw new QuiverError("UnknownAction", `No FunctionGraph operation answers ${request.method} ${raw.rawPath}.`);
      rateLimit(deps, account, route);
      await send(reply, requestId, await OPERATIONS[route.operation](contextOf(deps, account, route, raw)));
    } catch (error) {
      await sendError(request, reply, error, requestId);
    }
  };
  app.all("/v2/*", handle);
  app.all("/v1.0/*", handle);
}

function contextOf(deps: FgsDeps, account: HuaweiAccount, route: Route, raw: RawRequest): FgsContext {
  const { region, projectId, domainId } = account.huawei;
  return {
    scope: { accountId: account.name, region },
    account,
    out: { region, projectId, domainId },
    service: deps.service,
    invocations: deps.invocations,
    config: deps.config,
    urn: route.urn,
    aliasName: route.aliasName,
    query: new URLSearchParams(raw.rawQuery),
    body: raw.body,
    headers: singleValued(raw.headers),
    now: Date.now(),
  };
}

/** Node lower-cases header names; a repeated header counts with its first value. */
function singleValued(headers: RawRequest["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first;
  }
  return out;
}


function rateLimit(deps: FgsDeps, account: HuaweiAccount, route: Route): void {
  if (!deps.config.rateLimits.enabled) return;
  const rate = deps.config.rateLimits.overrides[route.operation] ?? FGS_RATE_LIMITS[route.operation] ?? 100;
  if (!deps.limiter.take(`fgs:${account.name}:${route.operation}`, rate)) {
    throw new QuiverError("RateLimited", `Too many ${route.operation} requests: at most ${rate} per second are allowed.`);
  }
}

async function send(reply: FastifyReply, requestId: string, result: FgsResult): Promise<void> {
  reply.code(result.status).header("x-request-id", requestId);
  for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, value);
  if (result.text !== undefined) {
    await reply.send(result.text);
    return;
  }
  if (result.body === undefined) {
    await reply.send();
    return;
  }
  await reply.header("content-type", "application/json").send(JSON.stringify(result.body));
}

async function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown, requestId: string): Promise<void> {
  const quiverError = toQuiverError(error);
  if (!quiverError.isUserError) request.log.error({ err: error, requestId }, "FunctionGraph request failed");
  const { status, body } = fgsErrorBody(quiverError, requestId);
  await send(reply, requestId, { status, body });
}


/** The error handler for FunctionGraph paths, for failures outside the route handler (body too large, bad URL). */
export async function fgsErrorReply(request: FastifyRequest, reply: FastifyReply, error: unknown): Promise<void> {
  await sendError(request, reply, error, randomUUID());
}
