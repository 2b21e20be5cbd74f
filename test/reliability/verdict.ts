/**
 * What every answer must look like, whatever was sent: no 5xx, no internal error, the vendor's
 * envelope, no account secret. Returns the first rule broken, or null.
 *
 * No 5xx is ever acceptable: FunctionGraph reports a function that ran and failed inside an
 * HTTP 200 invocation envelope, and every failure where no function ran is a 4xx API error.
 */
import type { FuzzCase } from "./fuzz-scf.js";
import type { WireAnswer } from "./http.js";

const FGS_CODE = /^(FSS|APIGW)\.\d{4}$/;

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function scfEnvelope(status: number, contentType: string, json: unknown): string | null {
  if (status !== 200) return `SCF answers are HTTP 200, got ${status}`;
  if (contentType !== "application/json") return `SCF answers are application/json, got "${contentType}"`;
  const response = isRecord(json) ? json["Response"] : undefined;
  if (!isRecord(response)) return "no {\"Response\": {...}} envelope";
  if (typeof response["RequestId"] !== "string" || response["RequestId"] === "") return "Response.RequestId missing";
  const error = response["Error"];
  if (error !== undefined && !(isRecord(error) && typeof error["Code"] === "string" && typeof error["Message"] === "string")) return "Response.Error without Code and Message";
  return null;
}

/** The HTTP trigger door (`/scf/`, `/apig/`) and Quiver's own API (`/quiver/`): a 4xx with that surface's error JSON. */
function doorEnvelope(status: number, json: unknown, shaped: (json: Record<string, unknown>) => boolean, shape: string): string | null {
  if (status < 400) return `HTTP ${status}: nothing is served here without a trigger, a signature or a virtual clock`;
  return isRecord(json) && shaped(json) ? null : `HTTP ${status} without the ${shape} error`;
}

function fgsEnvelope(status: number, json: unknown, iam: boolean): string | null {
  if (status < 400) return null;
  if (isRecord(json) && typeof json["error_code"] === "string" && typeof json["error_msg"] === "string") {
    return FGS_CODE.test(json["error_code"]) ? null : `error_code "${json["error_code"]}" is not an FSS./APIGW. code`;
  }
  // IAM (`/v3/`) answers in Keystone's shape.
  if (iam && isRecord(json) && isRecord(json["error"]) && typeof json["error"]["message"] === "string") return null;
  return `HTTP ${status} without {"error_code","error_msg"}`;
}

export function verdict(c: FuzzCase, answer: WireAnswer, secrets: readonly string[]): string | null {
  if (answer.kind === "no answer") return `no answer: ${answer.error}`;
  const { status, body, headers } = answer;
  if (status === 431 && c.parserMayRefuse) return null;
  if (status >= 500) return `HTTP ${status}`;
  const text = body.toString("utf8");
  if (/InternalError|FSS\.0500/.test(text)) return "an internal error";
  const headerText = JSON.stringify(headers);
  const leaked = secrets.find((s) => text.includes(s) || headerText.includes(s));
  if (leaked !== undefined) return `an account secret (${leaked.slice(0, 6)}…) in the answer`;
  if (c.wire.method === "HEAD") return null;
  const path = c.wire.path.split("?")[0] ?? "";
  const json = parse(text);
  // FunctionGraph's APIs are the paths whose first segment is v2 or v1.0 (v3: its IAM lookup).
  const first = /^\/([^/]*)/.exec(path)?.[1];
  if (first === "v2" || first === "v1.0") return fgsEnvelope(status, json, false);
  if (first === "v3") return fgsEnvelope(status, json, true);
  if (first === "scf") return doorEnvelope(status, json, (j) => typeof j["errno"] === "number" && typeof j["error"] === "string" && typeof j["requestId"] === "string", "SCF gateway {errno, error, requestId}");
  if (first === "apig") return doorEnvelope(status, json, (j) => typeof j["error_code"] === "string" && /^APIG\.\d{4}$/.test(j["error_code"]) && typeof j["error_msg"] === "string", "API Gateway {error_code: APIG.xxxx, error_msg}");
  if (first === "quiver") return doorEnvelope(status, json, (j) => isRecord(j["error"]) && typeof j["error"]["code"] === "string" && typeof j["error"]["message"] === "string", "Quiver {error: {code, message}}");
  if (path === "/healthz" && c.wire.method === "GET") return status === 200 ? null : `/healthz answered ${status}`;
  // Readiness and metrics answer GET on loopback (the suite's server) in their own formats.
  if ((path === "/readyz" || path === "/metrics") && c.wire.method === "GET") return status === 200 ? null : `${path} answered ${status}`;
  return scfEnvelope(status, String(headers["content-type"] ?? ""), json);
}
