import { timingSafeEqual } from "node:crypto";

/**
 * Compares a secret-derived value (a request signature) with the one presented, in time that
 * does not depend on where they first differ, so a caller cannot guess a signature byte by byte.
 * Only the length can leak, and signature lengths are public.
 */
export function constantTimeEqual(expected: string, presented: string): boolean {
  const left = Buffer.from(expected);
  const right = Buffer.from(presented);
  return left.length === right.length && timingSafeEqual(left, right);
}
