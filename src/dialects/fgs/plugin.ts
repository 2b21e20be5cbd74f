import type { FastifyInstance } from "fastify";
import { QuiverError } from "../../core/errors.js";
import type { BoundLayer } from "../../core/layers.js";
import { apiBaseOf, signedLayerUrl } from "../shared/code-urls.js";
import type { Dialect, DialectDeps } from "../shared/dialect.js";
import { actionTable, answerFailuresIn, pipelineHandler, type Action, type Call, type DialectPipeline } from "../shared/pipeline.js";
import { jsonAnswer, type WireAnswer } from "../shared/wire-answer.js";
import { ALIAS_ACTIONS } from "./actions/aliases.js";
import { CAPACITY_ACTIONS } from "./actions/capacity.js";
import type { FgsContext, FgsOperation, FgsResult } from "./actions/context.js";
import { DEPENDENCY_ACTIONS } from "./actions/dependencies.js";
import { FUNCTION_ACTIONS } from "./actions/functions.js";
import { INVOKE_ACTIONS } from "./actions/invoke.js";
import { LEGACY_ACTIONS } from "./actions/legacy.js";
import { LOG_ACTIONS } from "./actions/logs.js";
import { METRIC_ACTIONS } from "./actions/metrics.js";
import { TRIGGER_ACTIONS } from "./actions/triggers.js";
import { VERSION_ACTIONS } from "./actions/versions.js";
import { fgsErrorBody } from "./errors.js";
import { registerIam } from "./iam.js";
import { matchRoute, pathSegments, projectOf, type OperationName, type Route } from "./router.js";
import { authenticate, type HuaweiAccount, type RawRequest } from "./transport.js";

/** Every operation by wire name. The record type makes the table total: no route without an action. */
const OPERATIONS: Readonly<Record<OperationName, Action<FgsOperation>>> = { ...FUNCTION_ACTIONS, ...VERSION_ACTIONS, ...ALIAS_ACTIONS, ...INVOKE_ACTIONS, ...LEGACY_ACTIONS, ...TRIGGER_ACTIONS, ...LOG_ACTIONS, ...METRIC_ACTIONS, ...CAPACITY_ACTIONS, ...DEPENDENCY_ACTIONS };
const FGS_ACTIONS = actionTable(OPERATIONS);

/** The operation names `rateLimits.overrides` may use (the official SDK's method names). */
export const FGS_OPERATION_NAMES: ReadonlySet<string> = new Set(FGS_ACTIONS.keys());

/** The v2 API, the legacy v1.0 API, and the IAM lookup FunctionGraph's SDKs make. */
const API_PREFIXES = ["/v2", "/v1.0"] as const;
const IAM_PREFIX = "/v3";

/** Every path prefix this dialect serves; whatever arrives under them is answered in its envelope. */
export const FGS_PREFIXES: readonly string[] = [...API_PREFIXES, IAM_PREFIX];

type FgsCall = Call & { readonly account: HuaweiAccount; readonly route: Route | null; readonly raw: RawRequest };

/**
 * The Huawei FunctionGraph dialect: the v2 API under `/v2/{project_id}/fgs/` and the legacy
 * v1.0 API under `/v1.0/{project_id}/fss/`. Routing is done here rather than by Fastify, so
 * that URNs with raw or encoded `:`/`!` and trailing slashes all reach the same operation and
 * every miss gets a FunctionGraph error body. Each prefix is its own Fastify scope, so what
 * fails before a handler (and every unknown path under it) is answered in FunctionGraph's envelope.
 */
export async function fgsPlugin(app: FastifyInstance, deps: DialectDeps): Promise<void> {
  const handle = pipelineHandler(fgsPipeline(deps), deps.limiter, deps.config.rateLimits, deps.observeApiRequest);
  const bodyLimit = deps.config.limits.maxBodyBytes;
  for (const prefix of API_PREFIXES) {
    await app.register(async (api) => {
      answerFailuresIn(api, fgsErrorAnswer, bodyLimit);
      api.all("/*", handle);
    }, { prefix });
  }
  await app.register(async (iam) => {
    answerFailuresIn(iam, fgsErrorAnswer, bodyLimit);
    registerIam(iam, deps.accounts);
  }, { prefix: IAM_PREFIX });
}

function fgsPipeline(deps: DialectDeps): DialectPipeline<FgsCall, FgsOperation, FgsResult> {
  return {
    name: "fgs",
    title: "FunctionGraph",
    actions: FGS_ACTIONS,
    authenticate(raw, nowMs) {
      const segments = pathSegments(raw.rawPath);
      const account = authenticate(raw, projectOf(segments), deps.accounts, nowMs);
      const route = matchRoute(raw.method, segments);
      return { accountName: account.name, action: route?.operation, account, route, raw };
    },
    unknownAction: (_call, raw) => new QuiverError("UnknownAction", `No FunctionGraph operation answers ${raw.method} ${raw.rawPath}.`),
    run: (operation, call) => operation(contextOf(deps, call)),
    render,
    errorAnswer: fgsErrorAnswer,
  };
}

function contextOf(deps: DialectDeps, { account, route, raw }: FgsCall): FgsContext {
  const { region, projectId, domainId } = account.huawei;
  const now = Date.now();
  const apiBase = apiBaseOf(raw.headers, deps.config.publicUrl);
  const layerUrl = (layer: BoundLayer): string => signedLayerUrl(apiBase, account, { region, layerName: layer.name, version: layer.version, sha256: layer.code.sha256 }, now / 1000);
  return {
    scope: { accountId: account.name, region },
    account,
    out: { region, projectId, domainId, layerUrl },
    service: deps.service,
    invocations: deps.invocations,
    records: deps.records,
    clock: deps.clock,
    config: deps.config,
    triggerUrls: deps.triggerUrls,
    timers: deps.timers,
    urn: route?.urn,
    aliasName: route?.aliasName,
    trigger: route?.trigger,
    period: route?.period,
    logStream: route?.logStream,
    dependency: route?.dependency,
    query: new URLSearchParams(raw.rawQuery),
    body: raw.body,
    headers: singleValued(raw.headers),
    now,
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

/**
 * A result on the wire: JSON, a text body as it is (v0 invocation results), or nothing (204).
 * JSON types carry `charset=utf-8`, as FunctionGraph's answers always have.
 */
function render(result: FgsResult, requestId: string): WireAnswer {
  const headers: Record<string, string> = { "x-request-id": requestId, ...result.headers };
  if (result.text !== undefined) {
    const type = headers["content-type"] ?? "text/plain; charset=utf-8";
    return { status: result.status, headers: { ...headers, "content-type": withJsonCharset(type) }, body: Buffer.from(result.text) };
  }
  if (result.body === undefined) return { status: result.status, headers, body: Buffer.alloc(0) };
  return { status: result.status, headers: { ...headers, "content-type": "application/json; charset=utf-8" }, body: Buffer.from(JSON.stringify(result.body)) };
}

function withJsonCharset(type: string): string {
  return type.includes("json") && !type.includes("charset") ? `${type}; charset=utf-8` : type;
}

/** FunctionGraph's error envelope: the table's status and `{error_code, error_msg}`, the request id in `X-Request-Id`. */
export function fgsErrorAnswer(error: QuiverError, requestId: string): WireAnswer {
  const { status, body } = fgsErrorBody(error, requestId);
  return jsonAnswer(status, body, { "x-request-id": requestId });
}

/** FunctionGraph as the server composes it. */
export const FGS_DIALECT: Dialect = { name: "fgs", prefixes: FGS_PREFIXES, plugin: fgsPlugin, errorAnswer: fgsErrorAnswer, actionNames: FGS_OPERATION_NAMES };
