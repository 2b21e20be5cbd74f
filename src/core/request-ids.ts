import { randomUUID } from "node:crypto";

/**
 * A new invocation request id: a UUID of version 7 (RFC 9562), its first 48 bits the wall
 * clock's milliseconds and 74 random bits after them.
 *
 * Why time-ordered: the records' unique index on (account, region, request id) and the
 * asynchronous invocations' key take every id an invocation makes. Random (version 4) ids land
 * each insert on a different page of those indexes, and every page a batch touches is written
 * again at its commit (and once more at the checkpoint): that was more than half of what
 * writing a record cost. Time-ordered ids land on the last pages, a few per batch.
 *
 * The wall clock, not Quiver's: only the order of ids matters here, never their time. Node's
 * `randomUUID` supplies the random bits (from its pooled entropy); its first 48 are replaced.
 */
export function newRequestId(now: number = Date.now()): string {
  const random = randomUUID();
  const time = Math.max(0, Math.floor(now)).toString(16).padStart(12, "0").slice(-12);
  // random: xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx; keep from the version digit's successor on.
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}
