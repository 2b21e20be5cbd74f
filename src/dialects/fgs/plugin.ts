import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AccountRegistry } from "../../accounts/accounts.js";
import { FGS_RATE_LIMITS, type QuiverConfig } from "../../config/config.js";
import { QuiverError } from "../../core/errors.js";
import type { InvocationService } from "../../core/invocations.js";
import type { FunctionService } from "../../core/service.js";
import { ActionRates, type RateLimiter } from "../../server/rate-limiter.js";
import { toQuiverError } from "../shared/fastify-errors.js";
import { rawRequestOf } from "../shared/raw-request.js";
import { jsonAnswer, sendAnswer, type WireAnswer } from "../shared/wire-answer.js";
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

/**
 * Every operation by name. The record type makes the table total; the Map keeps lookups off
 * `Object.prototype` whatever name reaches it.
 */
const OPERATION_TABLE: Readonly<Record<OperationName, FgsOperation>> = {
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
const OPERATIONS: ReadonlyMap<string, FgsOperation> = new Map(Object.entries(OPERATION_TABLE));

/** The operation names `rateLimits.overrides` may use (the official SDK's method names). */
export const FGS_OPERATION_NAMES: ReadonlySet<string> = new Set(OPERATIONS.keys());

/**
 * The Huawei FunctionGraph dialect: the v2 API under `/v2/{project_id}/fgs/` and the legacy
 * v1.0 API under `/v1.0/{project_id}/fss/`. Routing is done here rather than by Fastify, so
 * that URNs with raw or encoded `:`/`!` and trailing slashes all reach the same operation and
 * every miss gets a FunctionGraph error body.
 */
export function registerFgs(app: FastifyInstance, deps: FgsDeps): void {
  const rates = new ActionRates(deps.limiter, deps.config.rateLimits, "fgs", FGS_RATE_LIMITS);
  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const requestId = randomUUID();
    try {
      const raw = rawRequestOf(request);
      const segments = pathSegments(raw.rawPath);
      const account = authenticate(raw, projectOf(segments), deps.accounts, Date.now());
      const route = matchRoute(request.method, segments);
      const operation = route && OPERATIONS.get(route.operation);
      if (!route || !operation) throw new QuiverError("UnknownAction", `No FunctionGraph operation answers ${request.method} ${raw.rawPath}.`);
      rates.enforce(account.name, route.operation);
      await send(reply, requestId, await operation(contextOf(deps, account, route, raw)));
    } catch (error) {
      const quiverError = toQuiverError(error);
      if (!quiverError.isUserError) request.log.error({ err: error, requestId }, "FunctionGraph request failed");
      await sendAnswer(reply, fgsErrorAnswer(quiverError, requestId));
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

/** Node lower-cases header names; a repeated header counts with its first value. No prototype: names are the caller's. */
function singleValued(headers: RawRequest["headers"]): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first;
  }
  return out;
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

/** FunctionGraph's error envelope: the table's status and `{error_code, error_msg}`, the request id in `X-Request-Id`. */
export function fgsErrorAnswer(error: QuiverError, requestId: string): WireAnswer {
  const { status, body } = fgsErrorBody(error, requestId);
  return jsonAnswer(status, body, { "x-request-id": requestId });
}
