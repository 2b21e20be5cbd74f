/** Shared fixtures: zips (from the test kit's builder) stored in a temp dir, and invocation requests. */
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HandlerConvention, InvocationRequest } from "../../src/core/invoke.js";
import type { FunctionConfig } from "../../src/core/model.js";
import { Engine, type EngineOptions } from "../../src/runtime/index.js";
import { buildZip } from "../helpers/zip.js";

export interface Fixture {
  readonly dir: string;
  /** Stores a zip of `files` and returns its sha256. */
  zip(files: Record<string, string>): Promise<string>;
  /** Stores raw zip bytes (for hand-crafted malicious packages) and returns the sha256. */
  store(bytes: Buffer): Promise<string>;
  engine(opts?: Partial<EngineOptions>): Engine;
}

export async function fixture(): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), "quiver-engine-test-"));
  // mkdtemp makes 0700; the code cache below must be reachable by the unprivileged child user.
  await chmod(dir, 0o755);
  const blobPath = (sha: string): string => join(dir, `${sha}.zip`);
  const store = async (bytes: Buffer): Promise<string> => {
    const sha = createHash("sha256").update(bytes).digest("hex");
    await writeFile(blobPath(sha), bytes);
    return sha;
  };
  return {
    dir,
    async zip(files) {
      return store(await buildZip(files));
    },
    store,
    engine(opts = {}) {
      return new Engine({ blobFile: async (sha) => blobPath(sha), runDir: join(dir, "run"), prewarm: { nodejs: 0, python: 0 }, ...opts });
    },
  };
}

export interface RequestSpec {
  readonly sha: string;
  readonly handler?: string;
  readonly family?: "nodejs" | "python";
  readonly convention?: HandlerConvention;
  readonly event?: unknown;
  readonly environment?: Record<string, string>;
  readonly memoryMb?: number;
  readonly timeoutSec?: number;
  readonly key?: string;
  readonly contextValues?: Record<string, string>;
}

export function request(s: RequestSpec): InvocationRequest {
  const config: FunctionConfig = {
    runtime: { family: s.family ?? "nodejs", version: s.family === "python" ? "3.9" : "18.15" },
    handler: s.handler ?? "index.main_handler",
    memoryMb: s.memoryMb ?? 128,
    timeoutSec: s.timeoutSec ?? 3,
    description: "",
    environment: s.environment ?? {},
    type: "Event",
    extras: {},
  };
  return {
    target: {
      scope: { accountId: "acct", region: "ap-guangzhou" },
      namespace: "default",
      functionName: "fn",
      functionId: "fid",
      version: "$LATEST",
      instanceKey: s.key ?? `${s.sha}:${config.handler}`,
      code: { sha256: s.sha, sha512: "", size: 0, unzippedSize: 0, fileName: "" },
      config,
    },
    event: JSON.stringify(s.event ?? {}),
    requestId: randomUUID(),
    convention: s.convention ?? "scf",
    contextValues: s.contextValues ?? { appId: "1250000000", uin: "100000000001" },
  };
}

/** What an invocation that must have succeeded returned, parsed; fails the test with its error otherwise. */
export function succeeded(o: { error: unknown; result: string }): unknown {
  assert.equal(o.error, null, JSON.stringify(o.error));
  return JSON.parse(o.result);
}
