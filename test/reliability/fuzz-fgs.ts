/** Correctly signed FunctionGraph requests with mutated paths, methods, URNs, queries and bodies. */
import { sdkDate, signHeaders } from "../helpers/fgs-http.js";
import type { FuzzCase } from "./fuzz-scf.js";
import type { Prng } from "./prng.js";
import { evil, mutate, oddString, PROTO_NAMES, toJson, val, wellFormed, headerSafe, type Val } from "./values.js";

export interface HuaweiKeys {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly projectId: string;
}

export interface FgsFuzzContext {
  readonly port: number;
  readonly region: string;
  readonly keys: HuaweiKeys;
  readonly otherKeys: HuaweiKeys;
  readonly functionName: string;
  readonly zipBase64: string;
}

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] as const;

interface Operation {
  readonly method: string;
  /** Path after `/{api}/{project}/{service}/functions`, as segments (unencoded). */
  readonly tail: readonly string[];
  readonly body?: Val;
  readonly query?: Readonly<Record<string, string>>;
  readonly legacy?: boolean;
}

function operations(c: FgsFuzzContext, rng: Prng, urn: string): Operation[] {
  const create = val({ func_name: `g${rng.int(0, 99)}`, package: "default", runtime: rng.pick(["Node.js18.15", "Python3.9", "Java11"]), handler: "index.handler", memory_size: 256, timeout: 30, code_type: "zip", code_filename: "index.zip", func_code: { file: c.zipBase64 }, user_data: "{\"A\":\"b\"}" });
  const config = val({ func_name: c.functionName, runtime: "Node.js18.15", handler: "index.main_handler", memory_size: 512, timeout: 10, description: "d" });
  const code = val({ code_type: "zip", code_filename: "index.zip", func_code: { file: c.zipBase64 } });
  const alias = `a${rng.int(0, 9)}`;
  return [
    { method: "GET", tail: [], query: { marker: "0", maxitems: "10" } },
    { method: "POST", tail: [], body: create },
    { method: "GET", tail: [urn, "config"] },
    { method: "PUT", tail: [urn, "config"], body: config },
    { method: "GET", tail: [urn, "code"] },
    { method: "PUT", tail: [urn, "code"], body: code },
    { method: "DELETE", tail: [`g${rng.int(0, 99)}`] },
    { method: "GET", tail: [urn, "versions"], query: { marker: "0", maxitems: "5" } },
    { method: "POST", tail: [urn, "versions"], body: val({ version: `v${rng.int(0, 99)}`, description: "d", digest: "" }) },
    { method: "GET", tail: [urn, "aliases"] },
    { method: "POST", tail: [urn, "aliases"], body: val({ name: alias, version: "latest", description: "d", additional_version_weights: { "1": 10 } }) },
    { method: "GET", tail: [urn, "aliases", alias] },
    { method: "PUT", tail: [urn, "aliases", alias], body: val({ version: "latest", description: "e" }) },
    { method: "DELETE", tail: [urn, "aliases", alias] },
    { method: "POST", tail: [urn, "invocations"], body: val({ k: 1 }) },
    { method: "POST", tail: [urn, "invocations-async"], body: val({ k: 2 }) },
    { method: "GET", tail: [urn, "async-invocations"], query: { limit: "10" } },
    { method: "GET", tail: [urn, "config"], legacy: true },
    { method: "POST", tail: [urn, "versions"], body: val({ version: `w${rng.int(0, 99)}` }), legacy: true },
    { method: "POST", tail: [urn, "invocations"], body: val({ k: 3 }), legacy: true },
  ];
}

function urnFor(c: FgsFuzzContext, rng: Prng): string {
  const name = rng.weighted([[7, c.functionName], [2, "nope"], [1, oddString(rng).slice(0, 300)]] as const);
  const full = `urn:fss:${c.region}:${c.keys.projectId}:function:default:${name}`;
  return rng.weighted<() => string>([
    [3, () => name],
    [2, () => `default:${name}`],
    [2, () => `${c.keys.projectId}:default:${name}`],
    [4, () => `${full}:latest`],
    [1, () => `${full}:${rng.pick(["1", "!a1", "!", "v1", "$LATEST", "latest:extra"])}`],
    [2, () => rng.pick([...PROTO_NAMES, "..", ".", "urn:fss", "::::", `${full}:${"x".repeat(10_000)}`])],
  ])();
}

/** Each segment percent-encoded as the SDK would (raw `:` kept in URNs, as the Node SDK sends them). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(wellFormed(segment)).replace(/%3A/gi, ":");
}

function mutateQuery(rng: Prng, query: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const q: Record<string, string> = { ...query };
  const n = rng.weighted([[60, 0], [30, 1], [10, 2]] as const);
  for (let i = 0; i < n; i += 1) {
    const key = rng.pick(["marker", "maxitems", "package_name", "func_name", "limit", "status", "request_id", rng.pick(PROTO_NAMES), oddString(rng).slice(0, 40)]);
    const value = rng.pick(["-1", "1e99", "abc", "", "0", "99999999999", "400", "401", oddString(rng).slice(0, 300)]);
    // defineProperty: a plain assignment to "__proto__" would set the prototype instead.
    Object.defineProperty(q, wellFormed(key), { value: wellFormed(value), enumerable: true, writable: true, configurable: true });
  }
  return q;
}

function garbageBody(rng: Prng, json: string): Buffer {
  return rng.weighted<() => Buffer>([
    [3, () => Buffer.from(json.slice(0, rng.int(0, Math.max(0, json.length - 1))))],
    [2, () => Buffer.from(rng.pick(["[]", "1", "\"s\"", "null", "", "{", "{}{}"]))],
    [2, () => Buffer.from(`{"__proto__":{"func_name":"x"},"constructor":{"prototype":{"y":1}},${json.slice(1)}`)],
    [1, () => Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3, 0x28, 0x7d])],
  ])();
}

export function fgsCase(rng: Prng, c: FgsFuzzContext, i: number, huge: boolean): FuzzCase {
  const urn = urnFor(c, rng);
  const base = rng.pick(operations(c, rng, urn));
  const method = rng.chance(0.85) ? base.method : rng.pick(METHODS);
  const project = rng.weighted<string>([[85, c.keys.projectId], [5, c.otherKeys.projectId], [10, oddString(rng).slice(0, 100)]]);
  let tail = [...base.tail];
  if (rng.chance(0.15)) {
    const j = rng.int(0, tail.length);
    tail = [...tail.slice(0, j), rng.pick([...PROTO_NAMES, oddString(rng).slice(0, 200)]), ...tail.slice(j + 1)];
  }
  const api = base.legacy ? ["v1.0", project, "fss", "functions"] : ["v2", project, "fgs", "functions"];
  const path = `/${[...api, ...tail].map(encodeSegment).join("/")}${rng.chance(0.05) ? "/" : ""}`;
  const query = mutateQuery(rng, base.query);
  let body: Buffer = Buffer.alloc(0);
  if (base.body !== undefined || rng.chance(0.1)) {
    const json = toJson(mutate(rng, base.body ?? evil(rng), huge));
    body = rng.chance(0.1) ? garbageBody(rng, json) : Buffer.from(json);
  }
  const headers: Record<string, string> = {
    "content-type": rng.weighted([[90, "application/json"], [4, "application/json;charset=UTF-8"], [3, "text/plain"], [3, "application/x-www-form-urlencoded"]] as const),
  };
  if (rng.chance(0.5)) headers["x-project-id"] = headerSafe(rng.chance(0.9) ? project : c.otherKeys.projectId);
  if (rng.chance(0.2)) headers["x-cff-request-version"] = rng.pick(["v0", "v1", "V1", "v2", "", "x".repeat(300)]);
  if (rng.chance(0.2)) headers["x-cff-log-type"] = rng.pick(["tail", "None", "", "TAIL"]);
  const keys = rng.weighted([[95, c.keys], [3, c.otherKeys], [2, { ...c.keys, secretKey: "wrong-key" }]] as const);
  const signed = signHeaders({ method, host: `127.0.0.1:${c.port}`, path: path.replace(/\/$/, "") || "/", query, headers, body, ak: keys.accessKey, sk: keys.secretKey, date: sdkDate() });
  const qs = new URLSearchParams(query).toString();
  const label = `fgs#${i} ${method} ${path.slice(0, 120)}`;
  return { label, wire: { method, path: `${path}${qs === "" ? "" : `?${qs}`}`, headers: signed, body } };
}
