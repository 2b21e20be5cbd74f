import { connect, type Socket } from "node:net";

/** One HTTP response as read off the wire. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a raw exchange saw: the responses in order, whether the socket erred, and when it closed. */
export interface Exchange {
  readonly responses: readonly RawResponse[];
  readonly bytes: Buffer;
  readonly error: string | undefined;
  readonly closedAfterMs: number;
}

/**
 * Connects, writes `data` (a string or Buffer, sent as is), optionally half-closes, and waits
 * for the server to close the connection. Returns every response the server sent.
 */
export function exchange(port: number, data: string | Buffer, options: { end?: boolean } = {}): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(data);
      if (options.end !== false) socket.end();
    });
    collect(socket, started, resolve);
  });
}

/** Waits for `socket` to close and parses what it received. */
export function collect(socket: Socket, started: number, done: (result: Exchange) => void): void {
  const chunks: Buffer[] = [];
  let error: string | undefined;
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  socket.on("error", (e) => (error = e.message));
  socket.on("close", () => {
    const bytes = Buffer.concat(chunks);
    done({ responses: parseResponses(bytes), bytes, error, closedAfterMs: performance.now() - started });
  });
}

/** Splits a byte stream into responses; every Quiver answer carries Content-Length. */
export function parseResponses(bytes: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const headEnd = rest.indexOf("\r\n\r\n");
    if (headEnd < 0) throw new Error(`an incomplete response head: ${JSON.stringify(rest.toString("latin1").slice(0, 200))}`);
    const [statusLine = "", ...lines] = rest.subarray(0, headEnd).toString("latin1").split("\r\n");
    const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1]);
    if (!Number.isInteger(status)) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine)}`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    if (status < 200) {
      // An interim answer (100 Continue) has no body; the real one follows.
      rest = rest.subarray(headEnd + 4);
      continue;
    }
    const length = Number(headers["content-length"]);
    if (!Number.isInteger(length)) throw new Error(`a response without Content-Length: ${statusLine}`);
    responses.push({ status, headers, body: rest.subarray(headEnd + 4, headEnd + 4 + length).toString("utf8") });
    rest = rest.subarray(headEnd + 4 + length);
  }
  return responses;
}

/** The SCF error envelope: HTTP 200, `{"Response":{"Error":{"Code","Message"},"RequestId"}}`; returns the code. */
export function scfErrorCode(response: RawResponse | undefined): string {
  if (!response) throw new Error("no response");
  if (response.status !== 200) throw new Error(`SCF answers HTTP 200, not ${response.status}: ${response.body}`);
  if (response.headers["content-type"] !== "application/json") throw new Error(`SCF content type: ${response.headers["content-type"]}`);
  const body = JSON.parse(response.body) as { Response?: { Error?: { Code?: unknown; Message?: unknown }; RequestId?: unknown } };
  const error = body.Response?.Error;
  if (typeof error?.Code !== "string" || typeof error.Message !== "string" || typeof body.Response?.RequestId !== "string" || Object.keys(body).length !== 1) {
    throw new Error(`not an SCF error envelope: ${response.body}`);
  }
  return error.Code;
}

/** The FunctionGraph error envelope: an error status, `{"error_code","error_msg"}`, `X-Request-Id`; returns `status code`. */
export function fgsError(response: RawResponse | undefined): string {
  if (!response) throw new Error("no response");
  const body = JSON.parse(response.body) as { error_code?: unknown; error_msg?: unknown };
  if (response.status < 400 || typeof body.error_code !== "string" || !/^(FSS|APIGW)\.\d{4}$/.test(body.error_code) || typeof body.error_msg !== "string") {
    throw new Error(`not a FunctionGraph error envelope (HTTP ${response.status}): ${response.body}`);
  }
  if (!response.headers["x-request-id"]) throw new Error("a FunctionGraph error without X-Request-Id");
  return `${response.status} ${body.error_code}`;
}
