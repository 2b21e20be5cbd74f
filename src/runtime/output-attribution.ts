/**
 * Which call each byte of a child's stdout (or stderr) belongs to.
 *
 * The result of a call comes on the control channel, its output on a separate pipe, so the
 * engine may read part of a call's output after its result — after the next call began. Each
 * result therefore carries how many bytes the child had written to the stream in all by then
 * (counted by the bootstrap where it writes through). Every byte below that count was written
 * during or before that call, so it is "owed" to it however late it is read; bytes above the
 * last count belong to whatever the instance serves when they are read.
 *
 * A count is only as good as the child: output that bypasses the bootstrap (a subprocess, a
 * direct write to fd 1) is not counted, which only lowers the boundaries, so such output falls
 * back to attribution by arrival. A hostile child can claim any count; the worst it can do is
 * attribute its own output to its own earlier calls (an instance serves one function).
 */

/** Bytes of a stream owed to a call that already answered. */
export interface Owed<Owner> {
  /** The stream position (bytes since the process started) where the owed bytes end. */
  readonly end: number;
  readonly owner: Owner;
}

/** Hands on one piece of what was read: `owed` names the finished call it belongs to, null the current one. */
export type Deliver<Owner> = (bytes: Buffer, owed: Owed<Owner> | null) => void;

/**
 * At most this many answered calls may still be owed bytes; past it the oldest is forgotten
 * (its bytes then go to the next one). An honest child owes a few at most, since the engine
 * reads its pipes as fast as it writes; only a child claiming counts it never writes gets here.
 */
export const MAX_OWED = 32;

export class OutputAttribution<Owner> {
  readonly #deliver: Deliver<Owner>;
  /** Bytes read from the stream so far. */
  #read = 0;
  /** The highest count a call reported: every byte below it is spoken for. */
  #reported = 0;
  /** Answered calls whose bytes have not all been read yet, oldest (lowest `end`) first. */
  readonly #owed: Owed<Owner>[] = [];

  constructor(deliver: Deliver<Owner>) {
    this.#deliver = deliver;
  }

  /** Bytes read from the stream so far. */
  get read(): number {
    return this.#read;
  }

  /**
   * A call owned by `owner` answered, the child having written `written` bytes to the stream
   * in all. Costs nothing (no allocation) when everything written was read already, the usual case.
   */
  answered(written: number, owner: Owner): void {
    // A count below an earlier one claims nothing new (only a broken child sends one).
    if (written <= this.#reported) return;
    this.#reported = written;
    if (written <= this.#read) return;
    this.#owed.push({ end: written, owner });
    if (this.#owed.length > MAX_OWED) this.#owed.shift();
  }

  /** Splits a chunk just read between the calls owed bytes and the current one, in order. */
  push(chunk: Buffer): void {
    let at = 0;
    while (this.#owed.length > 0 && at < chunk.length) {
      const owed = this.#owed[0] as Owed<Owner>;
      const take = Math.min(owed.end - this.#read, chunk.length - at);
      this.#read += take;
      if (this.#read >= owed.end) this.#owed.shift();
      this.#deliver(at === 0 && take === chunk.length ? chunk : chunk.subarray(at, at + take), owed);
      at += take;
    }
    if (at === chunk.length) return;
    this.#read += chunk.length - at;
    this.#deliver(at === 0 ? chunk : chunk.subarray(at), null);
  }
}
