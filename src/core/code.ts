import { createHash } from "node:crypto";
import type { CodeRef } from "./model.js";
import type { CodeInspector, ZipFacts } from "./ports.js";

/** A code package that was checked and hashed but not yet stored. */
export interface CheckedCode {
  readonly bytes: Buffer;
  readonly ref: CodeRef;
  readonly facts: ZipFacts;
}

/** Inspects a zip and computes its digests. Pure CPU work: no state is touched. */
export async function checkCode(inspector: CodeInspector, bytes: Buffer, fileName: string): Promise<CheckedCode> {
  const facts = await inspector.inspect(bytes);
  const ref: CodeRef = {
    sha256: createHash("sha256").update(bytes).digest("hex"),
    sha512: createHash("sha512").update(bytes).digest("hex"),
    size: bytes.length,
    unzippedSize: facts.unzippedSize,
    fileName,
  };
  return { bytes, ref, facts };
}
