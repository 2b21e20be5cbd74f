/** Correctly signed SCF requests with mutated actions, parameters and transports. */
import type { WireRequest } from "./http.js";
import type { Prng } from "./prng.js";
import { tc3Headers, v1Form, type TencentKeys } from "./signing.js";
import { evil, flatten, headerSafe, mutate, oddString, PROTO_NAMES, toJson, val, type Val } from "./values.js";

export interface ScfFuzzContext {
  /** `127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly keys: TencentKeys;
  readonly otherKeys: TencentKeys;
  /** A function that exists, so valid-looking calls reach the deep code paths. */
  readonly functionName: string;
  /** Base64 of a small valid zip. */
  readonly zipBase64: string;
}

export interface FuzzCase {
  readonly label: string;
  readonly wire: WireRequest;
  /**
   * Node's HTTP parser answers some requests itself, before Quiver sees them: headers over
   * 16 KB get 431 and the connection is closed. Only garbage cases that do this on purpose
   * set this; for them a bare 431 is the expected answer.
   */
  readonly parserMayRefuse?: boolean;
}

const API_VERSION = "2018-04-16";
/** GET and v1 requests carry everything in the URL; past this, a GET would be refused by the HTTP parser (431), so it goes as a POST form. */
const MAX_QUERY = 8_000;

function templates(c: ScfFuzzContext, rng: Prng): Record<string, Val> {
  const name = rng.weighted([[6, c.functionName], [2, "nope"], [2, `f${rng.int(0, 99)}`]] as const);
  return {
    CreateFunction: val({ FunctionName: `f${rng.int(0, 99)}`, Runtime: rng.pick(["Nodejs18.15", "Python3.9", "Go1"]), Handler: "index.main_handler", Code: { ZipFile: c.zipBase64 }, MemorySize: 128, Timeout: 3, Environment: { Variables: [{ Key: "A", Value: "b" }] }, Description: "fuzz" }),
    UpdateFunctionCode: val({ FunctionName: name, ZipFile: c.zipBase64, Handler: "index.main_handler" }),
    UpdateFunctionConfiguration: val({ FunctionName: name, MemorySize: 256, Timeout: 5, Description: "d", Environment: { Variables: [{ Key: "K", Value: "v" }] } }),
    PublishVersion: val({ FunctionName: name, Description: "fuzz" }),
    GetFunction: val({ FunctionName: name, Qualifier: rng.pick(["$LATEST", "1", "live"]) }),
    ListFunctions: val({ Offset: 0, Limit: 20, SearchKey: "f", Order: "ASC", Orderby: "AddTime" }),
    DeleteFunction: val({ FunctionName: `f${rng.int(0, 99)}` }),
    Invoke: val({ FunctionName: name, InvocationType: rng.pick(["RequestResponse", "Event"]), ClientContext: "{\"k\":1}", LogType: "Tail" }),
    InvokeFunction: val({ FunctionName: name, Event: "{}", LogType: "Tail" }),
    ListVersionByFunction: val({ FunctionName: name, Offset: 0, Limit: 10, Order: "DESC" }),
    DeleteFunctionVersion: val({ FunctionName: name, Qualifier: String(rng.int(1, 5)) }),
    CreateAlias: val({ FunctionName: name, Name: `a${rng.int(0, 9)}`, FunctionVersion: "$LATEST", RoutingConfig: { AdditionalVersionWeights: [{ Version: "1", Weight: 0.5 }] } }),
    UpdateAlias: val({ FunctionName: name, Name: `a${rng.int(0, 9)}`, FunctionVersion: "1" }),
    GetAlias: val({ FunctionName: name, Name: `a${rng.int(0, 9)}` }),
    DeleteAlias: val({ FunctionName: name, Name: `a${rng.int(0, 9)}` }),
    ListAliases: val({ FunctionName: name, Limit: "10" }),
    CreateNamespace: val({ Namespace: `ns${rng.int(0, 9)}`, Description: "d" }),
    UpdateNamespace: val({ Namespace: `ns${rng.int(0, 9)}`, Description: "e" }),
    DeleteNamespace: val({ Namespace: `ns${rng.int(0, 9)}` }),
    ListNamespaces: val({ Limit: 10 }),
    GetAsyncEventStatus: val({ InvokeRequestId: "00000000-0000-0000-0000-000000000000" }),
    ListAsyncEvents: val({ FunctionName: name }),
  };
}

function pickAction(rng: Prng, known: readonly string[]): string {
  return rng.weighted<() => string>([
    [45, () => rng.pick(known)],
    [25, () => rng.pick([...PROTO_NAMES, "__proto__", "prototype", "constructor", "hasOwnProperty"])],
    [20, () => oddString(rng)],
    [5, () => rng.pick(known).toLowerCase()],
    [5, () => `${rng.pick(known)}${rng.pick([" ", "\u0000", ".", "/x", "()"])}`],
  ])();
}

function rawBody(rng: Prng, json: string): Buffer {
  return rng.weighted<() => Buffer>([
    [3, () => Buffer.from(json.slice(0, rng.int(0, Math.max(0, json.length - 1))))],
    [2, () => Buffer.from(rng.pick(["[]", "1", "\"s\"", "null", "true", "", " ", "{", "}", "{}{}", "[{}]"]))],
    [2, () => Buffer.from(`{"__proto__":{"FunctionName":"x","polluted":true},"constructor":{"prototype":{"x":1}},${json.slice(1)}`)],
    [1, () => Buffer.from(`{"FunctionName":"a","FunctionName":"b",${json.slice(1)}`)],
    [1, () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)])],
    [1, () => Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3, 0x28, 0x7d])],
    [1, () => Buffer.from(`${" ".repeat(rng.int(1, 100_000))}${json}`)],
  ])();
}

/** The i-th SCF case: a known action's parameters (or none), mutated, sent in one of the SDKs' transports. */
export function scfCase(rng: Prng, c: ScfFuzzContext, i: number, huge: boolean): FuzzCase {
  // A Map: looking up "toString" or "__proto__" in a plain object would find Object.prototype's.
  const all = new Map(Object.entries(templates(c, rng)));
  const action = pickAction(rng, [...all.keys()]);
  const params = mutate(rng, all.get(action) ?? (rng.chance(0.5) ? val({}) : evil(rng)), huge);
  const keys = rng.weighted([[95, c.keys], [3, c.otherKeys], [2, { secretId: c.keys.secretId, secretKey: "wrong-key" }]] as const);
  const region = rng.weighted<string | null>([[80, "ap-guangzhou"], [8, null], [12, oddString(rng).slice(0, 200)]]);
  const version = rng.chance(0.97) ? API_VERSION : oddString(rng).slice(0, 50);
  const host = c.endpoint.replace(/:\d+$/, "");
  const transport = rng.weighted([[55, "tc3-json"], [5, "tc3-form"], [15, "tc3-get"], [15, "v1-post"], [10, "v1-get"]] as const);
  const label = `scf#${i} ${transport} ${JSON.stringify(action.slice(0, 60))}`;

  if (transport === "tc3-json") {
    const json = toJson(params);
    const body = rng.chance(0.1) ? rawBody(rng, json) : Buffer.from(json);
    const contentType = rng.weighted([[90, "application/json"], [4, "application/json; charset=utf-8"], [3, "text/plain"], [3, "application/octet-stream"]] as const);
    const headers = tc3Headers({ method: "POST", host, query: "", contentType, body, action: headerSafe(action).slice(0, 4_000), region: region === null ? null : headerSafe(region), version: headerSafe(version), keys });
    return { label, wire: { method: "POST", path: "/", headers, body } };
  }
  const form = new URLSearchParams(flatten(params).filter(([k]) => k !== "")).toString();
  if (transport === "tc3-get" && form.length <= MAX_QUERY) {
    const contentType = "application/x-www-form-urlencoded";
    const headers = tc3Headers({ method: "GET", host, query: form, contentType, body: Buffer.alloc(0), action: headerSafe(action).slice(0, 4_000), region: region === null ? null : headerSafe(region), version: headerSafe(version), keys });
    return { label, wire: { method: "GET", path: form === "" ? "/" : `/?${form}`, headers, body: Buffer.alloc(0) } };
  }
  if (transport === "tc3-form" || transport === "tc3-get") {
    const contentType = "application/x-www-form-urlencoded";
    const body = Buffer.from(form);
    const headers = tc3Headers({ method: "POST", host, query: "", contentType, body, action: headerSafe(action).slice(0, 4_000), region: region === null ? null : headerSafe(region), version: headerSafe(version), keys });
    return { label, wire: { method: "POST", path: "/", headers, body } };
  }
  const method = transport === "v1-get" ? "GET" : "POST";
  const signed = v1Form({ method, host: c.endpoint, params: new Map(flatten(params).filter(([k]) => k !== "")), action, region, version, algorithm: rng.chance(0.5) ? "HmacSHA1" : "HmacSHA256", keys, nonce: rng.int(1, 2 ** 30) });
  if (method === "GET" && signed.length <= MAX_QUERY) return { label, wire: { method: "GET", path: `/?${signed}`, headers: {}, body: Buffer.alloc(0) } };
  const postSigned = method === "GET" ? v1Form({ method: "POST", host: c.endpoint, params: new Map(flatten(params).filter(([k]) => k !== "")), action, region, version, algorithm: "HmacSHA256", keys, nonce: rng.int(1, 2 ** 30) }) : signed;
  return { label, wire: { method: "POST", path: "/", headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from(postSigned) } };
}
