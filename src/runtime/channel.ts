/**
 * The engine's end of a child's control channel: newline-delimited JSON on fd 3, a Unix
 * socketpair created by `spawn` (the same for Node and Python children).
 *
 * Node's built-in IPC is not used: a child that writes a malformed frame to its IPC fd makes the
 * parent's deserialiser throw from inside Node's channel code, an uncaught exception that takes
 * the whole server down (nodejs/node#61312 and its relatives), and a length prefix makes the
 * parent buffer whatever size the child names. Here every frame is bounded before it is
 * buffered and decoded by `protocol.ts` before anyone sees it.
 */
import type { Socket } from "node:net";
import { violation, type ChildMessage, type ChildProtocol, type ParentMessage, type ProtocolViolation } from "./protocol.js";

export interface Channel {
  send(m: ParentMessage): void;
}

/**
 * Calls `onMessage` with each decoded message, or once with the first violation, after which
 * the channel reads nothing more (the instance is being killed).
 */
export function lineChannel(sock: Socket, protocol: ChildProtocol, onMessage: (m: ChildMessage | ProtocolViolation) => void): Channel {
  const frames = new LineFrames(protocol.maxFrameBytes);
  let broken = false;
  const refuse = (v: ProtocolViolation): void => {
    broken = true;
    sock.destroy();
    onMessage(v);
  };
  sock.on("data", (chunk: Buffer) => {
    if (broken) return;
    const complete = frames.push(chunk);
    if (complete === null) return refuse(violation(`a frame longer than ${protocol.maxFrameBytes} bytes`));
    for (const frame of complete) {
      const m = protocol.decode(frame);
      if (m.t === "violation") return refuse(m);
      onMessage(m);
    }
  });
  sock.on("error", () => undefined);
  return {
    send(m) {
      if (!sock.destroyed) sock.write(JSON.stringify(m) + "\n");
    },
  };
}

/** Splits a byte stream into newline-terminated frames, refusing any longer than `max` bytes. */
export class LineFrames {
  readonly #max: number;
  #parts: Buffer[] = [];
  #size = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** The frames `chunk` completes, or null once the frame being read outgrows the limit. */
  push(chunk: Buffer): Buffer[] | null {
    const out: Buffer[] = [];
    let start = 0;
    // Only the new bytes are searched: a large frame arriving in many chunks costs O(n), not O(n²).
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      if (this.#size + piece.length > this.#max) return null;
      out.push(this.#parts.length === 0 ? piece : Buffer.concat([...this.#parts, piece]));
      this.#parts = [];
      this.#size = 0;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (this.#size + rest.length > this.#max) return null;
    if (rest.length > 0) {
      this.#parts.push(rest);
      this.#size += rest.length;
    }
    return out;
  }
}
