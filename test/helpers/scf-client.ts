import assert from "node:assert/strict";
import tencentcloud from "tencentcloud-sdk-nodejs-scf";
import type { TestServer } from "./server.js";
import type { TestAccount } from "./temp.js";

export type ScfClient = InstanceType<typeof tencentcloud.scf.v20180416.Client>;
export type SignMethod = "TC3-HMAC-SHA256" | "HmacSHA256" | "HmacSHA1";
export type ReqMethod = "POST" | "GET";

export interface ClientOptions {
  readonly signMethod?: SignMethod;
  readonly reqMethod?: ReqMethod;
  /** Region to send; `null` sends none (the server's default applies). */
  readonly region?: string | null;
  /** Overrides the secret key (to test wrong keys). */
  readonly secretKey?: string;
  readonly secretId?: string;
}

/** The official, unmodified Tencent Cloud SCF client pointed at a test server. */
export function scfClient(server: Pick<TestServer, "endpoint">, account: TestAccount, options: ClientOptions = {}): ScfClient {
  const region = options.region === undefined ? "ap-guangzhou" : options.region;
  return new tencentcloud.scf.v20180416.Client({
    credential: { secretId: options.secretId ?? account.tencent.secretId, secretKey: options.secretKey ?? account.tencent.secretKey },
    ...(region === null ? {} : { region }),
    profile: {
      signMethod: options.signMethod ?? "TC3-HMAC-SHA256",
      httpProfile: { endpoint: server.endpoint, protocol: "http://", reqMethod: options.reqMethod ?? "POST", reqTimeout: 30 },
    },
  });
}

/** Every combination of signature and HTTP method the SDK supports. */
export const SIGNING_MODES: readonly { readonly signMethod: SignMethod; readonly reqMethod: ReqMethod }[] = [
  { signMethod: "TC3-HMAC-SHA256", reqMethod: "POST" },
  { signMethod: "TC3-HMAC-SHA256", reqMethod: "GET" },
  { signMethod: "HmacSHA256", reqMethod: "POST" },
  { signMethod: "HmacSHA256", reqMethod: "GET" },
  { signMethod: "HmacSHA1", reqMethod: "POST" },
  { signMethod: "HmacSHA1", reqMethod: "GET" },
];

/** Asserts that a call fails with this SCF error code (as the SDK reports it) and returns the error. */
export async function expectScfError(call: Promise<unknown>, code: string): Promise<{ code?: string; message: string; requestId?: string }> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    const e = error as { code?: string; message: string; requestId?: string };
    assert.equal(e.code, code, `expected error ${code}, got ${String(e.code)}: ${e.message}`);
    assert.ok(e.requestId, "an error carries a RequestId");
    return e;
  }
  assert.fail(`expected error ${code}, but the call succeeded: ${JSON.stringify(result)}`);
}
