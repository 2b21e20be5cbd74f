import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AccountRegistry } from "../../accounts/accounts.js";
import type { QuiverError } from "../../core/errors.js";
import { toQuiverError } from "../shared/fastify-errors.js";
import { rawRequestOf } from "../shared/raw-request.js";
import { jsonAnswer, sendAnswer, type WireAnswer } from "../shared/wire-answer.js";
import { identify, type RawRequest } from "./transport.js";

/**
 * The one IAM call the official SDKs make on their own: with a region but no project id, they
 * look the project up with `GET /v3/projects?name=<region>` (AK/SK signed) before the first
 * FunctionGraph request. Point `withIamEndpoint` at Quiver and it answers with the caller's
 * project, in Keystone's shape. Nothing else of IAM is served. `app` is the scope under `/v3`.
 */
export function registerIam(app: FastifyInstance, accounts: AccountRegistry): void {
  app.get("/projects", async (request, reply) => {
    const requestId = randomUUID();
    try {
      const raw = rawOf(request);
      const account = identify(raw, accounts, Date.now());
      const name = new URLSearchParams(raw.rawQuery).get("name");
      const { projectId, region, domainId } = account.huawei;
      const projects = name === null || name === region ? [{ id: projectId, name: region, domain_id: domainId, enabled: true, is_domain: false, parent_id: domainId, description: "" }] : [];
      await sendAnswer(reply, jsonAnswer(200, { projects, links: { self: "/v3/projects", previous: null, next: null } }, { "x-request-id": requestId }));
    } catch (error) {
      await sendAnswer(reply, iamErrorAnswer(toQuiverError(error), requestId));
    }
  });
}

/** Keystone's error body: `{"error": {"code", "title", "message"}}`. */
function iamErrorAnswer(error: QuiverError, requestId: string): WireAnswer {
  const status = error.code === "Internal" ? 500 : 401;
  const title = status === 401 ? "Unauthorized" : "Internal Server Error";
  return jsonAnswer(status, { error: { code: status, title, message: error.message } }, { "x-request-id": requestId });
}

/** The shared raw request, with the unread GET body filled in (see below). */
function rawOf(request: FastifyRequest): RawRequest {
  const raw = rawRequestOf(request);
  return Buffer.isBuffer(request.body) ? raw : { ...raw, body: unreadGetBody(request) };
}

/**
 * The Node SDK sends (and signs) `{}` as the body of this GET; Fastify does not read GET
 * bodies. A two-byte body is taken to be that `{}`: if it was anything else, the signature
 * check fails, so the assumption can only refuse, never admit.
 */
function unreadGetBody(request: FastifyRequest): Buffer {
  return request.headers["content-length"] === "2" ? Buffer.from("{}") : Buffer.alloc(0);
}
