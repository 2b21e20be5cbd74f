import { createHmac } from "node:crypto";
import { sha256Hex } from "../shared/digest.js";

/**
 * The two Tencent Cloud API 3.0 signature algorithms, exactly as the official SDKs compute them
 * (Tencent Cloud API 3.0, "Signature v3" and "Signature"). Pure functions: the verifier decides
 * which inputs to try.
 */


function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

export interface Tc3Input {
  readonly method: string;
  /** The API signs `/` (its default); an HTTP trigger's signed request signs its own path. */
  readonly canonicalUri?: string;
  readonly canonicalQuery: string;
  /** Lower-case header name → value, for exactly the signed headers. */
  readonly signedHeaders: readonly (readonly [string, string])[];
  readonly payloadHash: string;
  readonly timestamp: string;
  readonly date: string;
  readonly service: string;
  readonly secretKey: string;
}

export function tc3Signature(input: Tc3Input): string {
  const canonicalHeaders = input.signedHeaders.map(([name, value]) => `${name}:${value}\n`).join("");
  const signedNames = input.signedHeaders.map(([name]) => name).join(";");
  const canonicalRequest = [input.method, input.canonicalUri ?? "/", input.canonicalQuery, canonicalHeaders, signedNames, input.payloadHash].join("\n");
  const scope = `${input.date}/${input.service}/tc3_request`;
  const stringToSign = ["TC3-HMAC-SHA256", input.timestamp, scope, sha256Hex(canonicalRequest)].join("\n");
  return createHmac("sha256", signingKey(input.secretKey, input.date, input.service)).update(stringToSign).digest("hex");
}

/**
 * The derived key changes only with the date and service, so it is cached: three of the four
 * HMACs per request disappear from the hot path. Bounded: cleared when it grows past 1,024.
 */
const signingKeys = new Map<string, Buffer>();

function signingKey(secretKey: string, date: string, service: string): Buffer {
  const id = `${secretKey}\0${date}\0${service}`;
  let key = signingKeys.get(id);
  if (!key) {
    key = hmac(hmac(hmac(`TC3${secretKey}`, date), service), "tc3_request");
    if (signingKeys.size >= 1024) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

/** v1: base64 HMAC over `METHOD + host + path + "?" + sorted raw key=value pairs`. */
export function v1Signature(method: string, host: string, params: ReadonlyMap<string, string>, algorithm: "sha1" | "sha256", secretKey: string): string {
  const pairs = [...params.entries()]
    .filter(([key]) => key !== "Signature")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
  return createHmac(algorithm, secretKey).update(`${method}${host}/?${pairs}`).digest("base64");
}
