// Signed requests to the same origin: the SCF API at `/`, FunctionGraph under `/v2/`, and
// Quiver's own API under `/quiver/`. Every failure becomes an ApiError with the vendor's code.
import { session } from "./session.js";

export class ApiError extends Error {
  constructor(code, message, requestId = "") {
    super(message);
    this.code = code;
    this.requestId = requestId;
  }
}

function signer() {
  const s = session();
  if (!s) throw new ApiError("SignedOut", "Sign in first.");
  return s;
}

/** One SCF API 3.0 action (POST / with TC3-HMAC-SHA256); resolves to its Response. */
export async function scf(action, params = {}) {
  const s = signer();
  const body = JSON.stringify(params);
  const signed = { "content-type": "application/json", host: location.host };
  const auth = await s.signer({ method: "POST", path: "/", query: "", headers: signed, body });
  const res = await fetch("/", {
    method: "POST",
    body,
    headers: { "Content-Type": "application/json", "X-TC-Action": action, "X-TC-Version": "2018-04-16", "X-TC-Region": s.region, ...auth },
  });
  const json = await res.json();
  const response = json.Response ?? {};
  if (response.Error) throw new ApiError(response.Error.Code, response.Error.Message, response.RequestId);
  return response;
}

/** A FunctionGraph v2 request signed with SDK-HMAC-SHA256; `path` is below /v2/{project_id}/fgs. */
export async function fgs(method, path, { query = "", body, headers = {} } = {}) {
  const s = signer();
  const full = `/v2/${s.projectId}/fgs${path}`;
  return huaweiRequest(method, full, query, body, headers);
}

export async function huaweiRequest(method, path, query = "", body, extraHeaders = {}) {
  const s = signer();
  const text = body === undefined ? "" : JSON.stringify(body);
  const headers = { host: location.host, ...(body === undefined ? {} : { "content-type": "application/json" }) };
  const auth = await s.signer({ method, path, query, headers, body: text });
  const res = await fetch(`${path}${query ? `?${query}` : ""}`, {
    method,
    headers: { ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...extraHeaders, ...auth },
    ...(body === undefined ? {} : { body: text }),
  });
  const answer = res.status === 204 ? {} : await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(answer.error_code ?? String(res.status), answer.error_msg ?? res.statusText, res.headers.get("x-request-id") ?? "");
  return answer;
}

/** Headers signing a GET of Quiver's own API (the live tail, statistics) with the session's keys. */
export async function quiverHeaders(path, query) {
  const s = signer();
  const auth = await s.signer({ method: "GET", path, query, headers: { host: location.host }, body: "" });
  return s.kind === "tencent" ? { ...auth, "X-TC-Region": s.region } : auth;
}

export async function quiverGet(path, query) {
  const res = await fetch(`${path}?${query}`, { headers: await quiverHeaders(path, query) });
  const json = await res.json();
  if (!res.ok) throw new ApiError(json.error?.code ?? String(res.status), json.error?.message ?? res.statusText, json.requestId);
  return json;
}
