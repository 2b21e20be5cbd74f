import type { Account, AccountRegistry } from "../../accounts/accounts.js";
import { isQuiverError } from "../../core/errors.js";
import { newRequestId } from "../../core/request-ids.js";
import type { InvocationService } from "../../core/invocations.js";
import type { FunctionRecord, FunctionRef } from "../../core/model.js";
import type { FunctionService } from "../../core/service.js";
import type { HttpTriggerSettings, TriggerRecord } from "../../core/triggers.js";
import { subPathUnder } from "../../core/functions/triggers.js";
import { isPreflight, preflightHeaders, responseCorsHeaders } from "../shared/cors.js";
import type { RawHttpRequest } from "../shared/raw-request.js";
import { DoorError, integrationAnswer, refusalOf, singleHeaders, withoutFraming, type HttpAnswer } from "../shared/trigger-http.js";
import { apigAddress, scfAddress } from "./urls.js";
import { APIG_VENDOR, SCF_VENDOR, type Vendor } from "./vendors.js";

/**
 * The HTTP front door: a request to a trigger URL becomes an invocation of the trigger's
 * function and its answer becomes the HTTP answer. Two URL shapes, one per vendor:
 *
 *   /scf/{appId}/{region}/{namespace}/{function}/{trigger}[/sub/path]   SCF `http` and `apigw` triggers
 *   /apig/{projectId}/{path}                                            FunctionGraph APIG triggers
 *
 * Each request: find the account and the trigger (404 when there is none), refuse a disabled
 * trigger, answer a CORS preflight, refuse a method it does not serve, check the signature of
 * a signed trigger, then run the qualifier the trigger is bound to (alias routing sees the
 * request headers): an event function with the vendor's event, its integration response sent
 * back; a web function with the request itself, its server's answer sent back. Every answer
 * names the request id and the version that ran. Free of Fastify: `plugin.ts` adapts to it.
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

/** What a run gave: the answer, and the version that ran (null when none did). */
interface Ran {
  readonly answer: HttpAnswer;
  readonly versionName: string | null;
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
    const requestId = newRequestId();
    let corsHeaders: ReadonlyArray<readonly [string, string]> = [];
    let corsByTrigger = false;
    let ran: Ran;
    try {
      const found = await find();
      const { settings, trigger } = found;
      if (!trigger.enabled) throw new DoorError("disabled", `Trigger "${trigger.name}" is disabled.`);
      if (settings.cors !== null) {
        corsByTrigger = true;
        const origin = header(request, "origin");
        // The function never sees a preflight; a real request's answers (refusals too) carry the allow headers.
        if (isPreflight(request.method, request.headers)) {
          const allowed = preflightHeaders(settings.cors, origin, header(request, "access-control-request-headers"));
          return { status: 204, headers: [...allowed, ...vendor.idHeaders(requestId, null)], body: Buffer.alloc(0) };
        }
        corsHeaders = responseCorsHeaders(settings.cors, origin);
      }
      if (!servesMethod(settings, request.method)) {
        throw new DoorError("method-not-allowed", `Trigger "${trigger.name}" does not serve ${request.method} (it serves ${settings.methods.join(", ")}).`);
      }
      const keyId = settings.auth === "signed" ? this.#checkSignature(request, vendor, found.account) : null;
      ran = found.fn.config.type === "HTTP" ? await this.#forward(request, vendor, found, requestId) : await this.#invoke(request, vendor, found, requestId, keyId);
    } catch (error) {
      ran = { answer: this.#refusal(error, vendor, requestId), versionName: null };
    }
    const { answer, versionName } = ran;
    const ids = vendor.idHeaders(requestId, versionName);
    // The platform's request id and version replace any the function sent under those names,
    // and a trigger's CORS settings replace the function's own CORS headers (never both).
    const platform = new Set(ids.map(([name]) => name.toLowerCase()));
    const own = answer.headers.filter(([name]) => {
      const lower = name.toLowerCase();
      return !platform.has(lower) && !(corsByTrigger && lower.startsWith("access-control-"));
    });
    return { status: answer.status, headers: [...own, ...corsHeaders, ...ids], body: answer.body };
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
    const address = scfAddress(request.rawPath);
    const account = address && this.#deps.accounts.byAppId(address.appId);
    if (!address || !account) throw noRoute(request);
    const ref: FunctionRef = { scope: { accountId: account.name, region: address.region }, namespace: address.namespace, name: address.functionName };
    const { fn, trigger } = await this.#deps.service.triggers.get(ref, { name: address.triggerName });
    const settings = trigger.settings;
    // An APIG trigger is served at its own path only, and a trigger serves only what is under its path.
    if (settings.kind !== "http" || settings.flavour === "apig" || subPathUnder(settings, address.below) === null) throw noRoute(request);
    return { account, ref, fn, trigger, settings, eventPath: address.below, rawEventPath: address.rawBelow };
  }

  async #findApig(request: DoorRequest): Promise<Found> {
    const address = apigAddress(request.rawPath);
    const account = this.#deps.accounts.byHuaweiProject(address.projectId);
    if (!account?.huawei) throw noRoute(request);
    const scope = { accountId: account.name, region: account.huawei.region };
    const route = await this.#deps.service.triggers.findApigRoute(scope, address.path);
    if (route === null || route.trigger.settings.kind !== "http") throw noRoute(request);
    const { fn, trigger } = route;
    const ref: FunctionRef = { scope, namespace: fn.namespace, name: fn.name };
    return { account, ref, fn, trigger, settings: route.trigger.settings, eventPath: address.path, rawEventPath: address.rawPath };
  }

  /** A signed trigger's request must be signed by the trigger's own account; returns the key id that signed it. */
  #checkSignature(request: DoorRequest, vendor: Vendor, owner: Account): string {
    const signer = vendor.signer(request, this.#deps.accounts, Date.now());
    if (signer.account.name !== owner.name) throw new DoorError("forbidden", "The request is signed by another account than the trigger's.");
    return signer.keyId;
  }

  /** An event function: the vendor's event in, the integration response (or a plain value) out. */
  async #invoke(request: DoorRequest, vendor: Vendor, found: Found, requestId: string, keyId: string | null): Promise<Ran> {
    const headers = singleHeaders(request.headers);
    const event = vendor.event(
      { method: request.method, headers, path: found.eventPath, rawQuery: request.rawQuery, body: request.body, sourceIp: request.sourceIp },
      { requestId, trigger: found.trigger, settings: found.settings, keyId },
    );
    const run = this.#deps.invocations.invoke({
      function: found.ref,
      selector: { qualifier: found.trigger.qualifier, headers, routingKey: null, aliasLookup: "fallback" },
      event,
      convention: vendor.convention,
      contextValues: vendor.contextValues(found.account, found.fn),
      requestId,
      knownFunction: found.fn,
      source: "http",
    });
    const { outcome, versionName } = await withGatewayTimeout(run, found.settings.timeoutMs);
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
      contextValues: vendor.contextValues(found.account, found.fn),
      requestId,
      knownFunction: found.fn,
      exchange: { method: request.method, path, headers: headerPairs(request.rawHeaders), body: request.body },
    });
    const { outcome, versionName } = await withGatewayTimeout(run, found.settings.timeoutMs);
    if (outcome.reply === null || outcome.error) {
      return { answer: vendor.failure(outcome.error ?? { kind: "exit", message: "The web function gave no answer.", stack: "" }, requestId), versionName };
    }
    const { status, headers, body } = outcome.reply;
    // A HEAD answer's Content-Length is the GET body's size, not framing: it is kept when the server sent one.
    const length = request.method === "HEAD" ? headers.filter(([name]) => name.toLowerCase() === "content-length") : [];
    return { answer: { status, headers: [...withoutFraming(headers), ...length], body }, versionName };
  }
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

/** `ANY`, the method itself, or HEAD where GET is served. */
function servesMethod(settings: HttpTriggerSettings, method: string): boolean {
  return settings.methods.includes("ANY") || settings.methods.includes(method) || (method === "HEAD" && settings.methods.includes("GET"));
}

function header(request: DoorRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Node's `rawHeaders` (name, value, name, value, …) as pairs. */
function headerPairs(raw: readonly string[]): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] ?? "", raw[i + 1] ?? ""]);
  return pairs;
}

function noRoute(request: DoorRequest): DoorError {
  return new DoorError("no-route", `No trigger is served at ${request.method} ${request.rawPath}.`);
}
