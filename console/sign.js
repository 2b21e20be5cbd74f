// Request signing in the browser with WebCrypto: TC3-HMAC-SHA256 (Tencent keys) and
// SDK-HMAC-SHA256 (Huawei keys), computed exactly as the official SDKs do. The secret key is
// imported once as a non-extractable HMAC key where the algorithm allows it, and never sent.

const encoder = new TextEncoder();

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function sha256Hex(data) {
  return hex(await crypto.subtle.digest("SHA-256", typeof data === "string" ? encoder.encode(data) : data));
}

async function hmacKey(raw) {
  return crypto.subtle.importKey("raw", typeof raw === "string" ? encoder.encode(raw) : raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

async function hmac(key, data) {
  return crypto.subtle.sign("HMAC", key, encoder.encode(data));
}

/**
 * TC3-HMAC-SHA256. The derived key chain starts from "TC3" + secret, so the secret itself must
 * be kept as bytes; it stays in this closure.
 */
export function tc3Signer(secretId, secretKey) {
  const secretBytes = encoder.encode(`TC3${secretKey}`);
  return async function sign({ method, path, query, headers, body, service = "scf" }) {
    const timestamp = Math.floor(Date.now() / 1000);
    const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
    const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const canonicalHeaders = names.map((n) => `${n}:${String(lower[n]).trim()}\n`).join("");
    const canonical = [method, path, query, canonicalHeaders, names.join(";"), await sha256Hex(body ?? "")].join("\n");
    const scope = `${date}/${service}/tc3_request`;
    const toSign = ["TC3-HMAC-SHA256", timestamp, scope, await sha256Hex(canonical)].join("\n");
    const dateKey = await hmac(await hmacKey(secretBytes), date);
    const serviceKey = await hmac(await hmacKey(dateKey), service);
    const signingKey = await hmac(await hmacKey(serviceKey), "tc3_request");
    const signature = hex(await hmac(await hmacKey(signingKey), toSign));
    return {
      Authorization: `TC3-HMAC-SHA256 Credential=${secretId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
      "X-TC-Timestamp": String(timestamp),
    };
  };
}

/** RFC 3986 with only the unreserved set kept, as Huawei's SDKs encode. */
export function rfc3986(value) {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function huaweiQuery(query) {
  const pairs = [...new URLSearchParams(query)].map(([k, v]) => [rfc3986(k), rfc3986(v)]);
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function huaweiUri(path) {
  const encoded = path.split("/").map((segment) => rfc3986(decodeURIComponent(segment))).join("/");
  return encoded.endsWith("/") ? encoded : `${encoded}/`;
}

/** SDK-HMAC-SHA256: one HMAC with the secret key itself, which is imported non-extractable. */
export async function huaweiSigner(accessKey, secretKey) {
  const key = await hmacKey(secretKey);
  return async function sign({ method, path, query, headers, body }) {
    const sdkDate = `${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
    const all = { ...headers, "X-Sdk-Date": sdkDate };
    const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
    const names = Object.keys(lower).sort();
    const canonicalHeaders = names.map((n) => `${n}:${String(lower[n]).trim()}\n`).join("");
    const canonical = [method, huaweiUri(path), huaweiQuery(query), canonicalHeaders, names.join(";"), await sha256Hex(body ?? "")].join("\n");
    const toSign = ["SDK-HMAC-SHA256", sdkDate, await sha256Hex(canonical)].join("\n");
    const signature = hex(await hmac(key, toSign));
    return { Authorization: `SDK-HMAC-SHA256 Access=${accessKey}, SignedHeaders=${names.join(";")}, Signature=${signature}`, "X-Sdk-Date": sdkDate };
  };
}
