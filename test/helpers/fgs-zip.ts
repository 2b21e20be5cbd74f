import { createHash } from "node:crypto";
import yazl from "yazl";

/** Builds a zip in memory from `path → content`. */
export function makeZip(files: Readonly<Record<string, string>>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  // A fixed mtime keeps the bytes (and so the digest) stable for equal contents.
  for (const [path, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), path, { mtime: new Date(2024, 0, 1) });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

export function nodeHandlerZip(body = "ok"): Promise<Buffer> {
  return makeZip({ "index.js": `exports.handler = async () => ${JSON.stringify(body)};\n` });
}

export function sha512Hex(bytes: Buffer): string {
  return createHash("sha512").update(bytes).digest("hex");
}

/**
 * A zip whose one entry is named `../evil.js`. yazl refuses such names, so the name is patched
 * into the bytes afterwards (same length, in both the local and the central header).
 */
export async function zipSlipZip(): Promise<Buffer> {
  const zip = await makeZip({ "xx/evil.js": "boom" });
  return Buffer.from(zip.toString("latin1").replaceAll("xx/evil.js", "../evil.js"), "latin1");
}
