import { randomUUID } from "node:crypto";
import type { Account, AccountRegistry } from "../../accounts/accounts.js";
import { isQuiverError } from "../../core/errors.js";
import type { HandlerConvention, InvocationOutcome } from "../../core/invoke.js";
import type { InvocationService } from "../../core/invocations.js";
import type { FunctionRecord, FunctionRef } from "../../core/model.js";
import type { FunctionService } from "../../core/service.js";
import type { HttpTriggerSettings, TriggerRecord } from "../../core/triggers.js";
import { subPathUnder } from "../../core/functions/triggers.js";
import { isPreflight, preflightHeaders, responseCorsHeaders } from "../shared/cors.js";
import { DoorError, integrationAnswer, refusalOf, singleHeaders, withoutFraming, type DoorRefusal, type HttpAnswer, type TriggerHttpRequest } from "../shared/trigger-http.js";
import type { RawHttpRequest } from "../shared/raw-request.js";
import { apigFailureAnswer, apigIdHeaders, apigRefusalAnswer, apigTriggerEvent } from "../fgs/http-trigger.js";
import { identify as identifyHuawei } from "../fgs/transport.js";
import { scfFailureAnswer, scfIdHeaders, scfRefusalAnswer, scfTriggerEvent } from "../scf/http-trigger.js";
import { verifyTc3 } from "../scf/transport.js";

/**
 * The HTTP front door: a request to a trigger URL becomes an invocation of the trigger's
 * function and its answer becomes the HTTP answer. Two URL shapes, one per vendor:
 *
 *   /scf/{appId}/{region}/{namespace}/{function}/{trigger}[/sub/path]   SCF `http` and `apigw` triggers
 *   /apig/{projectId}/{path}                                            FunctionGraph APIG triggers
 *
 * Each request: find the account and the trigger (404 when there is none), refuse a disabled
 * trigger or a method it does not serve, answer a CORS preflight, check the signature of a
 * signed trigger, build the vendor's event, run the qualifier the trigger is bound to (alias
 * routing sees the request headers), and send the function's integration response with the
 * request id and the version that ran. Free of Fastify: `plugin.ts` adapts requests to it.
 */

/** A request as the door needs it: the raw path and query as sent (signatures cover them). */
export interface DoorRequest extends RawHttpRequest {
  readonly sourceIp: string;
  /** Header names as the client spelled them, name and value alternating (Node's `rawHeaders`): what a web function's server sees. */
  readonly rawHeaders: readonly string[];
}

export interface DoorDeps {
  readonly service: FunctionService;
  readonly invocations: InvocationService;
  readonly accounts: AccountRegistry;
  /** Failures that are Quiver's own, for the log. */
  readonly onInternalError: (error: unknown, requestId: string) => void;
}

/** What differs between the vendors once a trigger is found. */
interface Vendor {
  readonly convention: HandlerConvention;
  refusal(refusal: DoorRefusal, message: string, requestId: string): HttpAnswer;
  failure(error: NonNullable<InvocationOutcome["error"]>, requestId: string): HttpAnswer;
  idHeaders(requestId: string, versionName: string | null): Array<readonly [string, string]>;
}

export const SCF_VENDOR: Vendor = { convention: "scf", refusal: scfRefusalAnswer, failure: scfFailureAnswer, idHeaders: scfIdHeaders };
export const APIG_VENDOR: Vendor = { convention: "fgs", refusal: apigRefusalAnswer, failure: apigFailureAnswer, idHeaders: apigIdHeaders };

/** A trigger found for a request, with what its event and auth need. */
interface Found {
  readonly account: Account;
  readonly ref: FunctionRef;
  readonly fn: FunctionRecord;
  readonly trigger: TriggerRecord;
  readonly settings: HttpTriggerSettings;
  /** The path in the event: below the SCF trigger's URL (`/` for none), or the APIG API's path. */
  readonly eventPath: string;
  /** The same path as sent (still percent-encoded): what a web function's server sees. */
  readonly rawEventPath: string;
}

export class TriggerDoor {
  readonly #deps: DoorDeps;

  constructor(deps: DoorDeps) {
    this.#deps = deps;
  }

  /** A request under `/scf/`. */
  serveScf(request: DoorRequest): Promise<HttpAnswer> {
    return this.#serve(request, SCF_VENDOR, () => this.#findScf(request));
  }

  /** A request under `/apig/`. */
  serveApig(request: DoorRequest): Promise<HttpAnswer> {
    return this.#serve(request, APIG_VENDOR, () => this.#findApig(request));
  }

  async #serve(request: DoorRequest, vendor: Vendor, find: () => Promise<Found>): Promise<HttpAnswer> {
    const requestId = randomUUID();
    let versionName: string | null = null;
    let corsHeaders: ReadonlyArray<readonly [string, string]> = [];
    let answer: HttpAnswer;
    try {
      const found = await find();
      const { settings } = found;
      if (!found.trigger.enabled) throw new DoorError("disabled", `Trigger "${found.trigger.name}" is disabled.`);
      const origin = header(request, "origin");
      if (settings.cors !== null) {
        // The function never sees a preflight; a real request's answers (refusals too) carry the allow headers.
        if (isPreflight(request.method, request.headers)) {
          const allowed = preflightHeaders(settings.cors, origin, header(request, "access-control-request-headers"));
          return { status: 204, headers: [...allowed, ...vendor.idHeaders(requestId, null)], body: Buffer.alloc(0) };
        }
        corsHeaders = responseCorsHeaders(settings.cors, origin);
      }
      if (!servesMethod(settings, request.method)) {
        throw new DoorError("method-not-allowed", `Trigger "${found.trigger.name}" does not serve ${request.method} (it serves ${settings.methods.join(", ")}).`);
      }
      const secretId = settings.auth === "signed" ? this.#checkSignature(request, vendor, found.account) : null;
      const ran = await this.#run(request, vendor, found, requestId, secretId);
      versionName = ran.versionName;
      answer = ran.answer;
    } catch (error) {
      answer = this.#refusal(error, vendor, requestId);
    }
    return { status: answer.status, headers: [...answer.headers, ...corsHeaders, ...vendor.idHeaders(requestId, versionName)], body: answer.body };
  }

  #refusal(error: unknown, vendor: Vendor, requestId: string): HttpAnswer {
    if (error instanceof DoorError) return vendor.refusal(error.refusal, error.message, requestId);
    if (isQuiverError(error)) {
      const refusal = refusalOf(error);
      if (refusal !== "internal") return vendor.refusal(refusal, error.message, requestId);
    }
    this.#deps.onInternalError(error, requestId);
    return vendor.refusal("internal", "An internal error occurred; see the Quiver log for the request id.", requestId);
  }

  async #findScf(request: DoorRequest): Promise<Found> {
    const segments = splitPath(request.rawPath, "/scf/".length);
    const [appId, region, namespace, name, triggerName] = segments;
    if (triggerName === undefined) throw noRoute(request);
    const account = this.#deps.accounts.byAppId(appId ?? "");
    if (!account) throw noRoute(request);
    const ref: FunctionRef = { scope: { accountId: account.name, region: region ?? "" }, namespace: namespace ?? "", name: name ?? "" };
    const { fn, trigger } = await this.#deps.service.triggers.get(ref, { name: triggerName });
    const settings = trigger.settings;
    if (settings.kind !== "http" || settings.flavour === "apig") throw noRoute(request);
    const below = segments.length > 5 ? `/${segments.slice(5).join("/")}` : "/";
    if (subPathUnder(settings, below) === null) throw noRoute(request);
    return { account, ref, fn, trigger, settings, eventPath: below, rawEventPath: rawBelow(request.rawPath, "/scf/".length, 5) };
  }

  async #findApig(request: DoorRequest): Promise<Found> {
    const start = "/apig/".length;
    const slash = request.rawPath.indexOf("/", start);
    const projectId = decodeSegment(slash < 0 ? request.rawPath.slice(start) : request.rawPath.slice(start, slash));
    const path = slash < 0 ? "/" : `/${splitPath(request.rawPath, slash + 1).join("/")}`;
    const account = this.#deps.accounts.byHuaweiProject(projectId);
    if (!account?.huawei) throw noRoute(request);
    const scope = { accountId: account.name, region: account.huawei.region };
    const route = await this.#deps.service.triggers.findApigRoute(scope, path);
    if (route === null || route.trigger.settings.kind !== "http") throw noRoute(request);
    const ref: FunctionRef = { scope, namespace: route.fn.namespace, name: route.fn.name };
    return { account, ref, fn: route.fn, trigger: route.trigger, settings: route.trigger.settings, eventPath: path, rawEventPath: slash < 0 ? "/" : request.rawPath.slice(slash) };
  }

  /** A signed trigger's request must be signed by the trigger's own account; returns the key id that signed it. */
  #checkSignature(request: DoorRequest, vendor: Vendor, owner: Account): string {
    const now = Date.now();
    if (vendor === SCF_VENDOR) {
      const authorization = header(request, "authorization");
      if (authorization === undefined) throw new DoorError("unauthenticated", "This trigger needs a TC3-HMAC-SHA256 signed request (Authorization header).");
      const signer = verifyTc3(request, authorization, this.#deps.accounts, now / 1000, request.rawPath);
      if (signer.name !== owner.name) throw new DoorError("forbidden", "The request is signed by another account than the trigger's.");
      return signer.tencent?.secretId ?? "";
    }
    const signer = identifyHuawei(request, this.#deps.accounts, now);
    if (signer.name !== owner.name) throw new DoorError("forbidden", "The request is signed by another account than the trigger's.");
    return signer.huawei.accessKey;
  }

  async #run(request: DoorRequest, vendor: Vendor, found: Found, requestId: string, secretId: string | null): Promise<Ran> {
    if (found.fn.config.type === "HTTP") return this.#forward(request, vendor, found, requestId);
    const headers = singleHeaders(request.headers);
    const eventRequest: TriggerHttpRequest = { method: request.method, headers, path: found.eventPath, rawQuery: request.rawQuery, body: request.body, sourceIp: request.sourceIp };
    const event = vendor === SCF_VENDOR
      ? scfTriggerEvent(eventRequest, { requestId, triggerId: found.trigger.id, triggerPath: found.settings.path, secretId })
      : apigTriggerEvent(eventRequest, { requestId, triggerId: found.trigger.id });
    const run = this.#deps.invocations.invoke({
      function: found.ref,
      selector: { qualifier: found.trigger.qualifier, headers, routingKey: null, aliasLookup: "fallback" },
      event,
      convention: vendor.convention,
      contextValues: contextValuesOf(vendor, found),
      requestId,
      knownFunction: found.fn,
    });
    const result = await withGatewayTimeout(run, found.settings.timeoutMs);
    const { outcome, versionName } = result;
    if (outcome.error) return { answer: vendor.failure(outcome.error, requestId), versionName };
    try {
      return { answer: integrationAnswer(outcome.result), versionName };
    } catch (error) {
      return { answer: this.#refusal(error, vendor, requestId), versionName };
    }
  }

  /** A web function: the request goes to its server as sent (path below the trigger, query, headers, body). */
  async #forward(request: DoorRequest, vendor: Vendor, found: Found, requestId: string): Promise<Ran> {
    const path = request.rawQuery === "" ? found.rawEventPath : `${found.rawEventPath}?${request.rawQuery}`;
    const run = this.#deps.invocations.forward({
      function: found.ref,
      selector: { qualifier: found.trigger.qualifier, headers: singleHeaders(request.headers), routingKey: null, aliasLookup: "fallback" },
      convention: vendor.convention,
      contextValues: contextValuesOf(vendor, found),
      requestId,
      knownFunction: found.fn,
      exchange: { method: request.method, path, headers: headerPairs(request.rawHeaders), body: request.body },
    });
    const { outcome, versionName } = await withGatewayTimeout(run, found.settings.timeoutMs);
    if (outcome.error || !outcome.reply) return { answer: vendor.failure(outcome.error ?? { kind: "exit", message: "The web function gave no answer.", stack: "" }, requestId), versionName };
    const { status, headers, body } = outcome.reply;
    return { answer: { status, headers: withoutFraming(headers), body }, versionName };
  }
}

function headerPairs(raw: readonly string[]): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] ?? "", raw[i + 1] ?? ""]);
  return pairs;
}

/** The raw path after `skip` segments that start at `start`; `/` when nothing follows them. */
function rawBelow(rawPath: string, start: number, skip: number): string {
  let at = start;
  for (let i = 0; i < skip; i++) {
    const next = rawPath.indexOf("/", at);
    if (next < 0) return "/";
    at = next + 1;
  }
  return rawPath.slice(at - 1);
}

type Ran = { answer: HttpAnswer; versionName: string | null };

/** The vendor context values a handler sees, as the invoke APIs set them. */
function contextValuesOf(vendor: Vendor, found: Found): Record<string, string> {
  if (vendor === SCF_VENDOR) return { appId: found.account.appId, uin: found.account.uin };
  return { projectId: found.account.huawei?.projectId ?? "", package: found.fn.namespace, alias: "" };
}

/**
 * APIG's `func_info.timeout`: the gateway stops waiting (504) when it passes before the
 * function's own timeout; the function runs on to its end, as behind a real gateway.
 */
async function withGatewayTimeout<T>(run: Promise<T>, timeoutMs: number | null): Promise<T> {
  if (timeoutMs === null) return run;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DoorError("gateway-timeout", `The function did not answer within the trigger's timeout of ${timeoutMs} ms.`)), timeoutMs);
  });
  try {
    return await Promise.race([run, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function servesMethod(settings: HttpTriggerSettings, method: string): boolean {
  return settings.methods.includes("ANY") || settings.methods.includes(method) || (method === "HEAD" && settings.methods.includes("GET"));
}

function header(request: DoorRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The decoded segments of `rawPath` from `start` on; a trailing `/` is kept as an empty last segment. */
function splitPath(rawPath: string, start: number): string[] {
  return rawPath.length <= start ? [] : rawPath.slice(start).split("/").map(decodeSegment);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new DoorError("bad-request", `The path segment "${segment}" is not validly percent-encoded.`);
  }
}

function noRoute(request: DoorRequest): DoorError {
  return new DoorError("no-route", `No trigger is served at ${request.method} ${request.rawPath}.`);
}
