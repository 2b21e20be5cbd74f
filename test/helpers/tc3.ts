import { createHash, createHmac } from "node:crypto";
import { request as httpRequest } from "node:http";

/**
 * A small, independent TC3-HMAC-SHA256 signer written from the reference document's algorithm
 * (Tencent Cloud API 3.0 signature v3), for crafting raw requests the SDK would never send
 * (old timestamps, broken headers, malformed bodies).
 */
export interface RawTc3Request {
  readonly action: string;
  readonly body: string | Buffer;
  readonly secretId: string;
  readonly secretKey: string;
  /** Unix seconds; defaults to now. */
  readonly timestamp?: number;
  readonly region?: string;
  readonly version?: string;
  readonly contentType?: string;
  readonly service?: string;
  /** Sign the host with its port, as the Python and Go SDKs do (the Node SDK strips it). */
  readonly signHostWithPort?: boolean;
  /** Sign with `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` (a Python/Go SDK option): the body is not hashed. */
  readonly unsignedPayload?: boolean;
  /** Extra or replacement headers, applied after signing. */
  readonly headers?: Readonly<Record<string, string>>;
}

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest();

/** Signs a POST as the Node SDK does (host signed without the port) and returns the headers. */
export function tc3Headers(endpoint: string, req: RawTc3Request): Record<string, string> {
  const timestamp = req.timestamp ?? Math.floor(Date.now() / 1000);
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  const contentType = req.contentType ?? "application/json";
  const service = req.service ?? "scf";
  const host = req.signHostWithPort ? endpoint : endpoint.replace(/:\d+$/, "");
  const payloadHash = req.unsignedPayload ? sha256("UNSIGNED-PAYLOAD") : sha256(req.body);
  const canonicalRequest = ["POST", "/", "", `content-type:${contentType}\nhost:${host}\n`, "content-type;host", payloadHash].join("\n");
  const scope = `${date}/${service}/tc3_request`;
  const stringToSign = ["TC3-HMAC-SHA256", String(timestamp), scope, sha256(canonicalRequest)].join("\n");
  const kDate = hmac(`TC3${req.secretKey}`, date);
  const kService = hmac(kDate, service);
  const kSigning = hmac(kService, "tc3_request");
  const signature = createHmac("sha256", kSigning).update(stringToSign).digest("hex");
  return {
    "Content-Type": contentType,
    Authorization: `TC3-HMAC-SHA256 Credential=${req.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`,
    "X-TC-Action": req.action,
    "X-TC-Timestamp": String(timestamp),
    "X-TC-Version": req.version ?? "2018-04-16",
    ...(req.region ? { "X-TC-Region": req.region } : {}),
    ...(req.unsignedPayload ? { "X-TC-Content-SHA256": "UNSIGNED-PAYLOAD" } : {}),
    ...req.headers,
  };
}

export interface ScfReply {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: { Response: Record<string, unknown> & { Error?: { Code: string; Message: string }; RequestId?: string } };
}

/** Sends a hand-signed TC3 POST and parses the SCF envelope. */
export function sendTc3(url: string, req: RawTc3Request): Promise<ScfReply> {
  const endpoint = url.replace(/^http:\/\//, "");
  return sendRaw(url, { method: "POST", headers: tc3Headers(endpoint, req), body: req.body });
}

export interface RawInit {
  readonly method: "GET" | "POST";
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Path and query, default "/". */
  readonly path?: string;
}

/**
 * Sends an arbitrary request with node:http (fetch would not let a test set Host) and parses
 * the SCF envelope.
 */
export function sendRaw(url: string, init: RawInit): Promise<ScfReply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${init.path ?? "/"}`, { method: init.method, headers: init.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          resolve({ status: response.statusCode ?? 0, contentType: response.headers["content-type"] ?? null, body: JSON.parse(text) as ScfReply["body"] });
        } catch {
          reject(new Error(`not JSON (HTTP ${response.statusCode}): ${text.slice(0, 200)}`));
        }
      });
    });
    request.on("error", reject);
    request.end(init.body);
  });
}
