/**
 * Request signers for the fuzz, written from the vendors' algorithms rather than from Quiver's
 * verifiers: TC3-HMAC-SHA256 for POST and GET and the v1 HmacSHA1/HmacSHA256 form for SCF
 * (the FunctionGraph signer is `signHeaders` in test/helpers/fgs-http.ts).
 */
import { createHash, createHmac } from "node:crypto";

export interface TencentKeys {
  readonly secretId: string;
  readonly secretKey: string;
}

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest();

export interface Tc3Input {
  readonly method: "GET" | "POST";
  /** Host as signed: the Node SDK signs it without the port. */
  readonly host: string;
  /** The query exactly as sent (GET), without `?`. */
  readonly query: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly action: string;
  readonly region: string | null;
  readonly version: string;
  readonly keys: TencentKeys;
}

/** The headers of a TC3-HMAC-SHA256 request (POST or GET), signing `content-type;host`. */
export function tc3Headers(i: Tc3Input): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  const payload = i.method === "GET" ? sha256("") : sha256(i.body);
  const canonical = [i.method, "/", i.method === "GET" ? i.query : "", `content-type:${i.contentType}\nhost:${i.host}\n`, "content-type;host", payload].join("\n");
  const scope = `${date}/scf/tc3_request`;
  const toSign = ["TC3-HMAC-SHA256", String(timestamp), scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(`TC3${i.keys.secretKey}`, date), "scf"), "tc3_request");
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  return {
    "content-type": i.contentType,
    authorization: `TC3-HMAC-SHA256 Credential=${i.keys.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`,
    "x-tc-action": i.action,
    "x-tc-timestamp": String(timestamp),
    "x-tc-version": i.version,
    ...(i.region === null ? {} : { "x-tc-region": i.region }),
  };
}

export interface V1Input {
  readonly method: "GET" | "POST";
  /** The Host header as sent (v1 signs it with the port). */
  readonly host: string;
  /** Business parameters, already flattened (`A.B.0.C`), plus any common ones to override. */
  readonly params: ReadonlyMap<string, string>;
  readonly action: string;
  readonly region: string | null;
  readonly version: string;
  readonly algorithm: "HmacSHA1" | "HmacSHA256";
  readonly keys: TencentKeys;
  readonly nonce: number;
}

/** A v1 request's encoded form (query for GET, body for POST), `Signature` included. */
export function v1Form(i: V1Input): string {
  const all = new Map(i.params);
  all.set("Action", i.action);
  all.set("Version", i.version);
  if (i.region !== null) all.set("Region", i.region);
  all.set("Timestamp", String(Math.floor(Date.now() / 1000)));
  all.set("Nonce", String(i.nonce));
  all.set("SecretId", i.keys.secretId);
  all.set("SignatureMethod", i.algorithm);
  const pairs = [...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join("&");
  const signature = createHmac(i.algorithm === "HmacSHA1" ? "sha1" : "sha256", i.keys.secretKey).update(`${i.method}${i.host}/?${pairs}`).digest("base64");
  const form = new URLSearchParams([...all]);
  form.set("Signature", signature);
  return form.toString();
}
