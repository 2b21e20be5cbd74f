/**
 * Strict base64 for uploaded code packages. A regular expression over a 27 MB string (a 20 MB
 * zip) costs more than everything else an upload does, so validity is checked natively: Node's
 * decoder skips characters outside the alphabet, and re-encoding the bytes gives back the input
 * exactly when it was canonical base64 with correct padding.
 */
export function decodeStrictBase64(text: string): Buffer | null {
  const compact = /\s/.test(text) ? text.replace(/\s+/g, "") : text;
  if (compact.length === 0 || compact.length % 4 !== 0) return null;
  const bytes = Buffer.from(compact, "base64");
  return bytes.toString("base64") === compact ? bytes : null;
}
