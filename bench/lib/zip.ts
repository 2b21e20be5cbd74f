import { randomBytes } from "node:crypto";
import yazl from "yazl";

/**
 * The bench handler: returns the event, or the version that ran when asked (`{"v":1}`), so
 * alias switches can be observed from the response alone.
 */
const NODE_HANDLER = "exports.main_handler = async (event, context) => (event.v ? context.function_version : event);\n";
const PYTHON_HANDLER = "def main_handler(event, context):\n    return context['function_version'] if event.get('v') else event\n";

/** A function zip with the handler plus `padBytes` of incompressible data. */
export function makeZip(padBytes: number, language: "node" | "python" = "node"): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    if (language === "node") zip.addBuffer(Buffer.from(NODE_HANDLER), "index.js");
    else zip.addBuffer(Buffer.from(PYTHON_HANDLER), "index.py");
    if (padBytes > 0) zip.addBuffer(randomBytes(padBytes), "payload.bin", { compress: false });
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

/** A zip of exactly these files. */
export function makeZipWith(files: Readonly<Record<string, string>>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, text] of Object.entries(files)) zip.addBuffer(Buffer.from(text), name);
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}
