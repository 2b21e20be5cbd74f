import { createHmac } from "node:crypto";
import { sha256Hex } from "../shared/digest.js";

/**
 * Huawei Cloud's `SDK-HMAC-SHA256` request signature, exactly as the official SDKs compute it
 * (Huawei Cloud API "AK/SK signing"). Pure functions: the transport decides
 * which inputs to try.
 */

export const ALGORITHM = "SDK-HMAC-SHA256";
export const EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** The `X-Sdk-Content-Sha256` value with which the SDKs sign a request without its body. */
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";


/** RFC 3986 encoding with only the unreserved set kept (`A-Z a-z 0-9 - _ . ~`), as the SDKs do. */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical URI: each path segment encoded, re-joined, with a trailing `/` always added.
 * `decodeFirst` decodes each segment before encoding it (what Python and Go effectively sign, and
 * what the Node SDK signs for paths with raw `:`); without it the segments are encoded as sent.
 */
export function canonicalUri(path: string, decodeFirst: boolean): string {
  const encoded = path
    .split("/")
    .map((segment) => encodeRfc3986(decodeFirst ? safeDecode(segment) : segment))
    .join("/");
  return encoded.endsWith("/") ? encoded : `${encoded}/`;
}

/** Query parameters sorted by encoded key, values of a repeated key sorted, both encoded. */
export function canonicalQuery(rawQuery: string): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const k = encodeRfc3986(key);
    byKey.set(k, [...(byKey.get(k) ?? []), value]);
  }
  return [...byKey.keys()]
    .sort()
    .flatMap((key) => (byKey.get(key) ?? []).sort().map((value) => `${key}=${encodeRfc3986(value)}`))
    .join("&");
}

export interface SignatureInput {
  readonly method: string;
  readonly canonicalUri: string;
  readonly canonicalQuery: string;
  /** Lower-case name → value, for exactly the signed headers, in the order of SignedHeaders. */
  readonly signedHeaders: readonly (readonly [string, string])[];
  readonly payloadHash: string;
  readonly sdkDate: string;
  readonly secretKey: string;
}

export function canonicalRequest(input: Omit<SignatureInput, "sdkDate" | "secretKey">): string {
  const headers = input.signedHeaders.map(([name, value]) => `${name}:${value}\n`).join("");
  const names = input.signedHeaders.map(([name]) => name).join(";");
  return [input.method, input.canonicalUri, input.canonicalQuery, headers, names, input.payloadHash].join("\n");
}

export function signature(input: SignatureInput): string {
  const stringToSign = [ALGORITHM, input.sdkDate, sha256Hex(canonicalRequest(input))].join("\n");
  return createHmac("sha256", input.secretKey).update(stringToSign).digest("hex");
}

export interface ParsedAuthorization {
  readonly accessKey: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const AUTHORIZATION = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([A-Za-z0-9;_-]+),\s*Signature=([0-9a-fA-F]{64})$/;

/** Parses `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b>, Signature=<hex>`; null if malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | null {
  const match = AUTHORIZATION.exec(header.trim());
  if (!match) return null;
  const [, accessKey = "", names = "", sig = ""] = match;
  return { accessKey, signedHeaders: names.toLowerCase().split(";"), signature: sig.toLowerCase() };
}

/** `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`, UTC) → epoch milliseconds, or null. */
export function parseSdkDate(value: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(ms) ? null : ms;
}

export function formatSdkDate(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
