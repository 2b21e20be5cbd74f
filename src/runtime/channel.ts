/**
 * The parent's end of the control channel. Node children: built-in IPC with advanced
 * (structured-clone) serialisation, which is cheaper than JSON for the event/result strings.
 * Python children: newline-delimited JSON over fd 3, a Unix socketpair created by `spawn`.
 */
import type { ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import type { ParentMessage } from "./protocol.js";

export interface Channel {
  send(m: ParentMessage): void;
}

export function nodeChannel(child: ChildProcess, onMessage: (m: unknown) => void): Channel {
  child.on("message", onMessage);
  return {
    send(m) {
      // A dead child makes send() fail; the exit handler reports that, so the error is dropped.
      if (child.connected) child.send(m, (err) => void err);
    },
  };
}

export function lineChannel(child: ChildProcess, onMessage: (m: unknown) => void): Channel {
  const sock = child.stdio[3] as Socket;
  let buf = "";
  sock.setEncoding("utf8");
  sock.on("data", (chunk: string) => {
    buf += chunk;
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      onMessage(parseLine(line));
    }
  });
  sock.on("error", () => undefined);
  return {
    send(m) {
      if (!sock.destroyed) sock.write(JSON.stringify(m) + "\n");
    },
  };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
