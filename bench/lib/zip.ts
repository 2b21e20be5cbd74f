import { randomBytes } from "node:crypto";
import yazl from "yazl";

/** A function zip with an index.js handler plus `padBytes` of incompressible data. */
export function makeZip(padBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from("exports.main_handler = async (event) => event;\n"), "index.js");
    if (padBytes > 0) zip.addBuffer(randomBytes(padBytes), "payload.bin", { compress: false });
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}
