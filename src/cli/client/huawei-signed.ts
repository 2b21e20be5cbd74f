/**
 * Requests to Huawei routes the FunctionGraph SDK has no method for: LTS's log query (no LTS SDK
 * is published on npm) and Quiver's own timer fire. They are signed by the Huawei core SDK's own
 * SDK-HMAC-SHA256 signer (`AKSKSigner`, the class the SDK clients sign with), so the signature
 * is the SDK's byte for byte; writing a second signer would be a second thing to get wrong.
 */
import { createRequire } from "node:module";
import type { BasicCredentials } from "@huaweicloud/huaweicloud-sdk-core";

interface SignableRequest {
  readonly endpoint: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly queryParams: Record<string, string>;
  readonly data?: unknown;
}

/** The signer is not in the core SDK's public exports; it is loaded from its file as the SDK itself does. */
const { AKSKSigner } = createRequire(import.meta.url)("@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js") as {
  AKSKSigner: { sign(request: SignableRequest, credential: BasicCredentials): Record<string, string> };
};

export interface SignedAnswer {
  readonly status: number;
  /** The JSON answer, or null when there was none (or it was not JSON). */
  readonly json: unknown;
}

/** A FunctionGraph-style refusal (`{error_code, error_msg}`) in the shape `fromSdkError` reads. */
export interface HuaweiRefusal {
  readonly httpStatusCode: number;
  readonly errorCode: string | undefined;
  readonly errorMsg: string;
}

export function refusalOf(answer: SignedAnswer): HuaweiRefusal {
  const body = (typeof answer.json === "object" && answer.json !== null ? answer.json : {}) as Record<string, unknown>;
  const code = body["error_code"] ?? body["errorCode"];
  const message = body["error_msg"] ?? body["errorMessage"] ?? body["message"];
  return { httpStatusCode: answer.status, errorCode: typeof code === "string" ? code : undefined, errorMsg: typeof message === "string" ? message : `HTTP ${answer.status}` };
}

/** Sends `body` (JSON) to `url`, signed with the credentials; network failures are thrown as fetch throws them. */
export async function signedRequest(credential: BasicCredentials, projectId: string, method: "GET" | "POST", url: string, body?: object): Promise<SignedAnswer> {
  const headers = { "Content-Type": "application/json", "X-Project-Id": projectId };
  // The signer hashes JSON.stringify(data): the body sent must be exactly that text.
  const signed = AKSKSigner.sign({ endpoint: url, method, headers, queryParams: {}, ...(body === undefined ? {} : { data: body }) }, credential);
  // fetch writes Host from the URL itself, the same value the signer signed.
  const sent = Object.fromEntries(Object.entries(signed).filter(([name]) => name.toLowerCase() !== "host"));
  const response = await fetch(url, { method, headers: sent, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text === "" ? null : (JSON.parse(text) as unknown);
  } catch {
    json = null;
  }
  return { status: response.status, json };
}
