import { Agent, request } from "node:http";
import { sha256Hex } from "../../src/dialects/shared/digest.js";
import { tc3Signature } from "../../src/dialects/scf/signature.js";

export interface SignedRequest {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/**
 * A lean TC3-signing SCF client over one keep-alive connection, so the benchmark measures the
 * server rather than the SDK's own overhead. Signs exactly as the official Node SDK does.
 */
export class ScfBenchClient {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly #port: number;
  readonly #secretId: string;
  readonly #secretKey: string;

  constructor(port: number, secretId: string, secretKey: string) {
    this.#port = port;
    this.#secretId = secretId;
    this.#secretKey = secretKey;
  }

  get port(): number {
    return this.#port;
  }

  /**
   * A signed request that can be replayed: TC3 signatures stay valid for five minutes and the
   * server does not reject replays, so load loops pre-sign once and measure the server alone.
   */
  sign(action: string, params: Record<string, unknown>): SignedRequest {
    const body = Buffer.from(JSON.stringify(params));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const date = new Date(Number(timestamp) * 1000).toISOString().slice(0, 10);
    const signature = tc3Signature({
      method: "POST",
      canonicalQuery: "",
      signedHeaders: [["content-type", "application/json"], ["host", "127.0.0.1"]],
      payloadHash: sha256Hex(body),
      timestamp,
      date,
      service: "scf",
      secretKey: this.#secretKey,
    });
    const headers = {
      "content-type": "application/json",
      host: `127.0.0.1:${this.#port}`,
      "x-tc-action": action,
      "x-tc-version": "2018-04-16",
      "x-tc-timestamp": timestamp,
      "x-tc-region": "ap-guangzhou",
      authorization: `TC3-HMAC-SHA256 Credential=${this.#secretId}/${date}/scf/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`,
    };
    return { headers, body };
  }

  /** Sends a pre-signed request and returns its `Response`, throwing on an API error. */
  async send(action: string, request: SignedRequest): Promise<Record<string, unknown>> {
    const text = await post(this.#agent, this.#port, "/", request.headers, request.body);
    const response = (JSON.parse(text) as { Response: Record<string, unknown> & { Error?: { Code: string; Message: string } } }).Response;
    if (response.Error) throw new Error(`${action}: ${response.Error.Code}: ${response.Error.Message}`);
    return response;
  }

  call(action: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.send(action, this.sign(action, params));
  }

  close(): void {
    this.#agent.destroy();
  }
}

export function post(agent: Agent, port: number, path: string, headers: Record<string, string>, body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "POST", agent, headers: { ...headers, "content-length": String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}
