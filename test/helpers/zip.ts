/**
 * The one zip builder: yazl for ordinary packages (a fixed mtime keeps the bytes, and so the
 * digest, stable for equal contents) and a hand-written writer for hostile ones yazl refuses.
 */
import { createHash } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import yazl from "yazl";

/** An entry with its Unix mode (`0o100755` for an executable such as `scf_bootstrap`); default 0o100644. */
export interface ModedEntry {
  readonly content: string | Buffer;
  readonly mode?: number;
}

/** Builds a zip with yazl from name → content (or content with a Unix mode). */
export function buildZip(files: Readonly<Record<string, string | Buffer | ModedEntry>>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, entry] of Object.entries(files)) {
      const { content, mode } = typeof entry === "string" || Buffer.isBuffer(entry) ? { content: entry, mode: undefined } : entry;
      zip.addBuffer(typeof content === "string" ? Buffer.from(content) : content, name, { mtime: new Date(2024, 0, 1), ...(mode === undefined ? {} : { mode }) });
    }
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("error", reject);
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

/** A small Node.js handler package; `marker` changes the bytes (and so the size/hash) of the zip. */
export function nodeZip(marker = "v1"): Promise<Buffer> {
  return buildZip({ "index.js": `exports.main_handler = async (event) => ({ marker: ${JSON.stringify(marker)}, event });\n` });
}

export async function nodeZipBase64(marker = "v1"): Promise<string> {
  return (await nodeZip(marker)).toString("base64");
}

/** Base64 of a zip holding `files`, as the SCF API takes it. */
export async function zipBase64(files: Readonly<Record<string, string | Buffer | ModedEntry>>): Promise<string> {
  return (await buildZip(files)).toString("base64");
}

/** A FunctionGraph Node.js package whose `index.handler` returns `body`. */
export function nodeHandlerZip(body = "ok"): Promise<Buffer> {
  return buildZip({ "index.js": `exports.handler = async () => ${JSON.stringify(body)};\n` });
}

export function sha512Hex(bytes: Buffer): string {
  return createHash("sha512").update(bytes).digest("hex");
}

/**
 * A zip whose one entry is named `../evil.js`. yazl refuses such names, so the name is patched
 * into the bytes afterwards (same length, in both the local and the central header).
 */
export async function zipSlipZip(): Promise<Buffer> {
  const zip = await buildZip({ "xx/evil.js": "boom" });
  return Buffer.from(zip.toString("latin1").replaceAll("xx/evil.js", "../evil.js"), "latin1");
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** One entry of a hand-made zip, with the parts a hostile zip can lie about. */
export interface RawEntry {
  readonly name: string;
  readonly content: string | Buffer;
  /** Deflate the content (default: stored). */
  readonly deflate?: boolean;
  /** The uncompressed size to declare, instead of the true one. */
  readonly declaredSize?: number;
  /** A Unix mode (e.g. 0o120777 for a symlink), recorded as made on Unix. */
  readonly unixMode?: number;
  /** The bytes to write as the entry's (compressed) data, instead of the real ones. */
  readonly data?: Buffer;
}

/**
 * A hand-written zip writer that puts entry names in verbatim, so hostile names that yazl
 * refuses (`../evil.js`, `/etc/x`) can be crafted, as can symlinks and entries whose declared
 * size is false.
 */
export function rawZip(entries: readonly RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const plain = typeof entry.content === "string" ? Buffer.from(entry.content) : entry.content;
    const crc = crc32(plain);
    const data = entry.data ?? (entry.deflate ? deflateRawSync(plain) : plain);
    const method = entry.deflate ? 8 : 0;
    const declared = entry.declaredSize ?? plain.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(entry.unixMode === undefined ? 20 : 0x0314, 4); // version made by (0x03.. = Unix)
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(declared, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attrs
    central.writeUInt32LE(((entry.unixMode ?? 0) << 16) >>> 0, 38); // external attrs
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const centralDir = Buffer.concat(centrals);
  // More than 65,535 entries need the zip64 end records, which carry the real count.
  const zip64 = entries.length > 0xffff ? zip64EndRecords(entries.length, centralDir.length, offset) : [];
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 10);
  end.writeUInt32LE(centralDir.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...locals, centralDir, ...zip64, end]);
}

/** The zip64 end of central directory record and its locator (APPNOTE 4.3.14, 4.3.15). */
function zip64EndRecords(count: number, centralSize: number, centralOffset: number): Buffer[] {
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4); // size of the rest of the record
  record.writeUInt16LE(45, 12); // version made by
  record.writeUInt16LE(45, 14); // version needed
  record.writeBigUInt64LE(BigInt(count), 24); // entries on this disk
  record.writeBigUInt64LE(BigInt(count), 32); // entries in total
  record.writeBigUInt64LE(BigInt(centralSize), 40);
  record.writeBigUInt64LE(BigInt(centralOffset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(centralOffset + centralSize), 8); // where the record starts
  locator.writeUInt32LE(1, 16); // disks in total
  return [record, locator];
}
