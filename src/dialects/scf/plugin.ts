import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AccountRegistry } from "../../accounts/accounts.js";
import { SCF_RATE_LIMITS, type QuiverConfig } from "../../config/config.js";
import { QuiverError } from "../../core/errors.js";
import type { InvocationService } from "../../core/invocations.js";
import type { FunctionService } from "../../core/service.js";
import type { RateLimiter } from "../../server/rate-limiter.js";
import { toQuiverError } from "../shared/fastify-errors.js";
import { rawRequestOf } from "../shared/raw-request.js";
import { ALIAS_ACTIONS } from "./actions/aliases.js";
import type { ScfAction } from "./actions/context.js";
import { FUNCTION_ACTIONS } from "./actions/functions.js";
import { INVOKE_ACTIONS } from "./actions/invoke.js";
import { NAMESPACE_ACTIONS } from "./actions/namespaces.js";
import { VERSION_ACTIONS } from "./actions/versions.js";
import { scfCode } from "./errors.js";
import { authenticate, type ScfCall } from "./transport.js";

export interface ScfDeps {
  readonly service: FunctionService;
  readonly invocations: InvocationService;
  readonly accounts: AccountRegistry;
  readonly config: QuiverConfig;
  readonly limiter: RateLimiter;
  /** Extra actions contributed by other modules (invocation, aliases). */
  readonly extraActions?: Readonly<Record<string, ScfAction>>;
}

const REGION = /^[a-z]{2,}-[a-z0-9-]{1,40}$/;

/**
 * The Tencent SCF API 3.0 dialect: `POST /` and `GET /` with the action in a header or a
 * parameter. Every answer is HTTP 200 with `{"Response": {..., "RequestId"}}`, errors included,
 * as the official SDKs expect.
 */
export function registerScf(app: FastifyInstance, deps: ScfDeps): void {
  const actions: Readonly<Record<string, ScfAction>> = { ...FUNCTION_ACTIONS, ...VERSION_ACTIONS, ...NAMESPACE_ACTIONS, ...ALIAS_ACTIONS, ...INVOKE_ACTIONS, ...deps.extraActions };

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const requestId = randomUUID();
    try {
      const call = authenticate(rawRequestOf(request), deps.accounts, Date.now() / 1000);
      const action = actions[call.action];
      if (!action) throw new QuiverError("UnknownAction", `The action "${call.action}" does not exist or is not supported by Quiver.`);
      const region = call.region ?? deps.config.region;
      if (!REGION.test(region)) throw new QuiverError("InvalidParameter", `Region "${region}" is not a valid region name.`, { field: "Region" });
      rateLimit(deps, call);
      const scope = { accountId: call.account.name, region };
      const result = await action({ scope, account: call.account, service: deps.service, invocations: deps.invocations, config: deps.config, requestId }, call.params);
      await send(reply, { ...result, RequestId: requestId });
    } catch (error) {
      await sendError(request, reply, error, requestId);
    }
  };

  app.route({ method: ["GET", "POST"], url: "/", handler: handle });
}


function rateLimit(deps: ScfDeps, call: ScfCall): void {
  if (!deps.config.rateLimits.enabled) return;
  const rate = deps.config.rateLimits.overrides[call.action] ?? SCF_RATE_LIMITS[call.action] ?? 100;
  if (!deps.limiter.take(`scf:${call.account.name}:${call.action}`, rate)) {
    throw new QuiverError("RateLimited", `Too many ${call.action} requests: at most ${rate} per second are allowed.`);
  }
}

async function send(reply: FastifyReply, response: Record<string, unknown>): Promise<void> {
  // A Buffer, not a string: Fastify would append "; charset=utf-8" to a JSON string's content type,
  // and the Python SDK recognises errors only when it is exactly "application/json".
  await reply.code(200).header("content-type", "application/json").send(Buffer.from(JSON.stringify({ Response: response })));
}

async function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown, requestId: string): Promise<void> {
  const quiverError = toQuiverError(error);
  if (!quiverError.isUserError) request.log.error({ err: error }, "SCF request failed");
  const message = quiverError.code === "Internal" ? "An internal error occurred; see the Quiver log for the request id." : quiverError.message;
  await send(reply, { Error: { Code: scfCode(quiverError), Message: message }, RequestId: requestId });
}


/** The error handler for SCF routes, for failures outside the route handler. */
export async function scfErrorReply(request: FastifyRequest, reply: FastifyReply, error: unknown): Promise<void> {
  await sendError(request, reply, error, randomUUID());
}
