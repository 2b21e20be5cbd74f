/**
 * Request bodies in flight, counted by their declared size against one budget for the server.
 * A body is buffered whole (vendor signatures cover its exact bytes), so without a bound a few
 * clients that declare large uploads and then stall would make the server hold all of them
 * until their request timeout. A body that does not fit is refused before any of it is read.
 */
import type { IncomingMessage } from "node:http";

export class BodyBudget {
  readonly #capacity: number;
  #used = 0;

  constructor(capacityBytes: number) {
    this.#capacity = capacityBytes;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /**
   * Reserves room for the request's body until the request is over (answered or abandoned);
   * false when it does not fit. A body without a declared length counts as the largest allowed.
   */
  admit(req: IncomingMessage, maxBodyBytes: number): boolean {
    const declared = declaredLength(req, maxBodyBytes);
    if (declared === 0) return true;
    if (this.#used + declared > this.#capacity) return false;
    this.#used += declared;
    req.once("close", () => {
      this.#used -= declared;
    });
    return true;
  }
}

function declaredLength(req: IncomingMessage, maxBodyBytes: number): number {
  const length = req.headers["content-length"];
  if (length !== undefined) return Math.min(Number(length) || 0, maxBodyBytes);
  return req.headers["transfer-encoding"] === undefined ? 0 : maxBodyBytes;
}
