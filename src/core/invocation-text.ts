import { QuiverError } from "./errors.js";

/**
 * The texts an invocation takes and gives, the same for every dialect: the event going in,
 * the returned value and the log tail coming out. Dialects pick the limits and the wording of
 * where the event came from; the rules are here once.
 */

/**
 * The event a handler receives, as JSON text. No event, or one of only whitespace, is the
 * empty object; anything else must be a JSON document of at most `maxBytes` bytes as sent.
 * `label` names where the event came from, for the messages (`ClientContext`, `The request body`).
 */
export function checkEvent(sent: string | Buffer | undefined, maxBytes: number, label: string): string {
  const bytes = sent === undefined ? 0 : typeof sent === "string" ? Buffer.byteLength(sent) : sent.length;
  if (bytes > maxBytes) throw new QuiverError("EventTooLarge", `${label} is ${bytes} bytes; at most ${maxBytes} are allowed.`);
  const text = sent === undefined ? "" : sent.toString();
  if (text.trim() === "") return "{}";
  try {
    JSON.parse(text);
  } catch {
    throw new QuiverError("EventInvalid", `${label} is not a JSON document.`);
  }
  return text;
}

/** A returned string as it is (both vendors show it unquoted); any other value as its JSON text. */
export function returnedText(result: string): string {
  if (!result.startsWith('"')) return result;
  try {
    return JSON.parse(result) as string;
  } catch {
    return result;
  }
}

/**
 * The last `maxBytes` bytes of a log, cut on a character boundary. Leading U+FFFD characters
 * are dropped too: they are what remains of a character an earlier cut (the runtime's own
 * tail of the output) split, and would only show as garbage.
 */
export function logTail(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  let start = Math.max(0, bytes.length - Math.max(0, maxBytes));
  while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start += 1;
  return bytes.subarray(start).toString().replace(/^\uFFFD+/, "");
}
