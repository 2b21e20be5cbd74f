import type { FastifyInstance } from "fastify";
import { QuiverError } from "../../core/errors.js";
import { apiBaseOf } from "../shared/code-urls.js";
import type { Dialect, DialectDeps } from "../shared/dialect.js";
import { actionTable, answerFailuresIn, pipelineHandler, ratesOf, type Call, type DialectPipeline } from "../shared/pipeline.js";
import { jsonAnswer, type WireAnswer } from "../shared/wire-answer.js";
import { ALIAS_ACTIONS } from "./actions/aliases.js";
import { CAPACITY_ACTIONS } from "./actions/capacity.js";
import type { ScfAction } from "./actions/context.js";
import { FUNCTION_ACTIONS } from "./actions/functions.js";
import { INVOKE_ACTIONS } from "./actions/invoke.js";
import { LAYER_ACTIONS } from "./actions/layers.js";
import { LOG_ACTIONS } from "./actions/logs.js";
import { NAMESPACE_ACTIONS } from "./actions/namespaces.js";
import { TRIGGER_ACTIONS } from "./actions/triggers.js";
import { VERSION_ACTIONS } from "./actions/versions.js";
import { scfCode } from "./errors.js";
import { authenticate, type ScfCall } from "./transport.js";

/** Every action Quiver serves, by the name `X-TC-Action` / `Action=` gives. */
const SCF_ACTIONS = actionTable<ScfAction>({ ...FUNCTION_ACTIONS, ...VERSION_ACTIONS, ...NAMESPACE_ACTIONS, ...ALIAS_ACTIONS, ...INVOKE_ACTIONS, ...TRIGGER_ACTIONS, ...LOG_ACTIONS, ...CAPACITY_ACTIONS, ...LAYER_ACTIONS });

/** The names `X-TC-Action` / `Action=` may take, which are also the keys of `rateLimits.overrides`. */
export const SCF_ACTION_NAMES: ReadonlySet<string> = new Set(SCF_ACTIONS.keys());

/** Per-action request rates (per account, per second), as the actions declare them. */
export const SCF_RATE_LIMITS: ReadonlyMap<string, number> = ratesOf(SCF_ACTIONS);

const REGION = /^[a-z]{2,}-[a-z0-9-]{1,40}$/;

/** An authenticated SCF call, the region resolved (the request's, else the server's). */
type ScfPipelineCall = Call & { readonly scf: ScfCall; readonly region: string; readonly apiBase: string };

/**
 * The Tencent SCF API 3.0 dialect: `POST /` and `GET /` with the action in a header or a
 * parameter. Every answer is HTTP 200 with `{"Response": {..., "RequestId"}}`, errors included,
 * as the official SDKs expect. Registered at the root: SCF signs no path, so every request no
 * other dialect claims (unknown paths included) is answered in SCF's envelope.
 */
export async function scfPlugin(app: FastifyInstance, deps: DialectDeps): Promise<void> {
  const pipeline: DialectPipeline<ScfPipelineCall, ScfAction, Record<string, unknown>> = {
    name: "scf",
    title: "SCF",
    actions: SCF_ACTIONS,
    authenticate(request, nowMs) {
      const scf = authenticate(request, deps.accounts, nowMs / 1000);
      return { accountName: scf.account.name, action: scf.action, scf, region: scf.region ?? deps.config.region, apiBase: apiBaseOf(request.headers, deps.config.publicUrl) };
    },
    unknownAction: (call) => new QuiverError("UnknownAction", `The action "${call.scf.action}" does not exist or is not supported by Quiver.`),
    admit(call) {
      if (!REGION.test(call.region)) throw new QuiverError("InvalidParameter", `Region "${call.region}" is not a valid region name.`, { parameter: "Region" });
    },
    run(action, call, requestId) {
      const scope = { accountId: call.accountName, region: call.region };
      return action({ scope, account: call.scf.account, service: deps.service, invocations: deps.invocations, records: deps.records, clock: deps.clock, config: deps.config, triggerUrls: deps.triggerUrls, timers: deps.timers, requestId, apiBase: call.apiBase }, call.scf.params);
    },
    render: (result, requestId) => jsonAnswer(200, { Response: { ...result, RequestId: requestId } }),
    errorAnswer: scfErrorAnswer,
  };
  answerFailuresIn(app, scfErrorAnswer, deps.config.limits.maxBodyBytes);
  app.route({ method: ["GET", "POST"], url: "/", handler: pipelineHandler(pipeline, deps.limiter, deps.config.rateLimits, deps.observeApiRequest) });
}

/** SCF's error envelope: always HTTP 200, `{"Response":{"Error":{"Code","Message"},"RequestId"}}`. */
export function scfErrorAnswer(error: QuiverError, requestId: string): WireAnswer {
  const message = error.code === "Internal" ? "An internal error occurred; see the Quiver log for the request id." : error.message;
  return jsonAnswer(200, { Response: { Error: { Code: scfCode(error), Message: message }, RequestId: requestId } });
}

/** SCF as the server composes it: served at `/`, so it answers every path no other dialect claims. */
export const SCF_DIALECT: Dialect = { name: "scf", prefixes: [], plugin: scfPlugin, errorAnswer: scfErrorAnswer, actionNames: SCF_ACTION_NAMES };
