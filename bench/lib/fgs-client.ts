import { Agent, request } from "node:http";
import { canonicalUri, formatSdkDate, signature } from "../../src/dialects/fgs/signature.js";
import { sha256Hex } from "../../src/dialects/shared/digest.js";

export interface HuaweiBenchKeys {
  readonly projectId: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

/**
 * A lean SDK-HMAC-SHA256 FunctionGraph client over keep-alive connections, signing the way
 * the official Node SDK does (content-type, host, x-project-id, x-sdk-date), so the benchmark
 * measures the server rather than the SDK.
 */
export class FgsBenchClient {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly #port: number;
  readonly #keys: HuaweiBenchKeys;

  constructor(port: number, keys: HuaweiBenchKeys) {
    this.#port = port;
    this.#keys = keys;
  }

  get projectId(): string {
    return this.#keys.projectId;
  }

  /** Signs now; the returned function sends (so the caller can time just the request). */
  prepare(method: string, path: string, body?: unknown): () => Promise<{ status: number; json: Record<string, unknown> }> {
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
    const host = `127.0.0.1:${this.#port}`;
    const sdkDate = formatSdkDate(Date.now());
    const signed: [string, string][] = [["content-type", "application/json"], ["host", host], ["x-project-id", this.#keys.projectId], ["x-sdk-date", sdkDate]];
    const sig = signature({
      method,
      canonicalUri: canonicalUri(path, false),
      canonicalQuery: "",
      signedHeaders: signed,
      payloadHash: sha256Hex(payload),
      sdkDate,
      secretKey: this.#keys.secretKey,
    });
    const headers: Record<string, string> = {
      ...Object.fromEntries(signed),
      authorization: `SDK-HMAC-SHA256 Access=${this.#keys.accessKey}, SignedHeaders=${signed.map(([n]) => n).join(";")}, Signature=${sig}`,
      "content-length": String(payload.length),
    };
    return () => this.#send(method, path, headers, payload);
  }

  async call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const { status, json } = await this.prepare(method, path, body)();
    if (status >= 400) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(json)}`);
    return json;
  }

  #send(method: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; json: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: this.#port, path, method, agent: this.#agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
