import { createHash, createHmac } from "node:crypto";
import type { HttpTriggerSettings, TriggerRecord } from "../../src/core/triggers.js";
import type { TestAccount } from "./accounts.js";
import type { TestQuiver } from "./quiver.js";
import { REGION } from "./scf-client.js";

/** An HTTP trigger's settings: a function URL open to anyone on every path and method, unless overridden. */
export function httpSettings(over: Partial<HttpTriggerSettings> = {}): HttpTriggerSettings {
  return { kind: "http", flavour: "function-url", auth: "none", path: "/", matchMode: "prefix", methods: ["ANY"], cors: null, timeoutMs: null, ...over };
}

export interface TriggerSpec {
  readonly account: TestAccount;
  readonly functionName: string;
  readonly name: string;
  readonly qualifier?: string;
  readonly enabled?: boolean;
  readonly settings?: Partial<HttpTriggerSettings>;
  /** The function's namespace (default `default`); for APIG, the FunctionGraph package. */
  readonly namespace?: string;
  /** Default: the SCF region for function URLs, the account's Huawei region for APIG. */
  readonly region?: string;
}

/** Creates an HTTP trigger through the core (the management APIs have their own tests). */
export function createHttpTrigger(server: TestQuiver, spec: TriggerSpec): Promise<TriggerRecord> {
  const settings = httpSettings(spec.settings);
  const region = spec.region ?? (settings.flavour === "apig" ? spec.account.huawei.region : REGION);
  return server.quiver.service.triggers.create(
    { scope: { accountId: spec.account.name, region }, namespace: spec.namespace ?? "default", name: spec.functionName },
    { name: spec.name, qualifier: spec.qualifier ?? "$LATEST", enabled: spec.enabled ?? true, description: "", settings, extras: {} },
  );
}

/** The URL of an SCF trigger (SCF region, `default` namespace unless given). */
export function scfTriggerUrl(server: TestQuiver, account: TestAccount, functionName: string, triggerName: string, namespace = "default"): string {
  return server.quiver.triggerUrls.scf(account.appId, REGION, namespace, functionName, triggerName);
}

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest();

/**
 * TC3-HMAC-SHA256 headers for a request to a signed SCF trigger, written independently of
 * Quiver's verifier: the canonical URI is the request path, the canonical query the query as sent.
 */
export function tc3TriggerHeaders(account: TestAccount, url: string, method: string, body: Buffer, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const { host, pathname, search } = new URL(url);
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  const contentType = "application/json";
  const canonical = [method, pathname, search.slice(1), `content-type:${contentType}\nhost:${host}\n`, "content-type;host", sha256(body)].join("\n");
  const scope = `${date}/scf/tc3_request`;
  const toSign = ["TC3-HMAC-SHA256", String(timestamp), scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(`TC3${account.tencent.secretKey}`, date), "scf"), "tc3_request");
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  return {
    "content-type": contentType,
    authorization: `TC3-HMAC-SHA256 Credential=${account.tencent.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`,
    "x-tc-timestamp": String(timestamp),
  };
}

/**
 * A handler for trigger tests. `?mode=` picks what it does; by default it answers an integration
 * response whose JSON body carries the event it received and `MARK` (which version ran).
 */
export function triggerHandlerCode(mark: string): Record<string, string> {
  return {
    "index.js": `
const MARK = ${JSON.stringify(mark)};
exports.main_handler = async (event, context) => {
  const query = event.queryStringParameters || event.queryString || {};
  switch (query.mode) {
    case "plain": return { hello: "world", mark: MARK };
    case "error": throw new Error("boom from " + MARK);
    case "sleep": await new Promise((resolve) => setTimeout(resolve, 5000)); return "late";
    case "spoof": return { statusCode: 200, headers: { "X-Scf-Request-Id": "forged", "X-Scf-Version": "9", "X-Request-Id": "forged", "X-Cff-Request-Id": "forged", "X-Cff-Function-Version": "9", "X-Kept": "yes" }, body: "" };
    case "own-cors": return { statusCode: 200, headers: { "Access-Control-Allow-Origin": "*", "X-Kept": "yes" }, body: "" };
    case "hog": { const held = []; for (;;) held.push(Buffer.alloc(16 << 20, 1)); }
    case "echo-bytes": {
      const bytes = event.isBase64Encoded ? Buffer.from(event.body, "base64") : Buffer.from(event.body);
      return { statusCode: 200, headers: { "content-type": "application/octet-stream" }, body: bytes.toString("base64"), isBase64Encoded: true };
    }
    case "custom": return { statusCode: 418, headers: { "x-custom": "yes", "set-cookie": ["a=1", "b=2"], "content-type": "text/plain" }, body: "teapot" };
  }
  return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ mark: MARK, event }) };
};
exports.handler = (event, context) => exports.main_handler(event, context);
`,
  };
}
