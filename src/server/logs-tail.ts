/**
 * `GET /quiver/v1/logs/tail?namespace=&function=&qualifier=`: a function's live output and the
 * outcome of each invocation, as server-sent events, for the account whose keys signed the
 * request (TC3-HMAC-SHA256 with Tencent keys, SDK-HMAC-SHA256 or the static token with Huawei
 * keys, checked as the HTTP trigger URLs check them). See docs/observability.md, "Live tail".
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Account, AccountRegistry } from "../accounts/accounts.js";
import { QuiverError } from "../core/errors.js";
import type { InvocationRecord, RecordListener } from "../core/invocation-records.js";
import type { OutputListener } from "../core/invoke.js";
import { chunkSubject, tailQualifier, tailSees, type TailFilter } from "../core/live-tail.js";
import { DEFAULT_NAMESPACE, type FunctionRecord, type FunctionRef } from "../core/model.js";
import { toQuiverError } from "../dialects/shared/fastify-errors.js";
import { rawRequestOf, type RawHttpRequest } from "../dialects/shared/raw-request.js";
import { sendAnswer } from "../dialects/shared/wire-answer.js";
import { signerOf } from "./quiver-auth.js";
import { quiverErrorAnswer } from "./quiver-api.js";

/** Under Quiver's own API prefix (`/quiver`, server/quiver-api.ts): `/quiver/v1/logs/tail`. */
export const TAIL_PATH = "/v1/logs/tail";

/** Open tails per account: each holds a connection and sees every chunk its function prints. */
export const MAX_TAILS_PER_ACCOUNT = 10;
/** A client this far behind (bytes written but not yet taken by it) is disconnected. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A comment line this often keeps proxies from closing a quiet stream, and finds clients gone. */
const HEARTBEAT_MS = 15_000;

export interface TailDeps {
  readonly accounts: AccountRegistry;
  /** Finds the function a tail names (throws the core's not-found errors). */
  readonly findFunction: (ref: FunctionRef) => Promise<FunctionRecord>;
  readonly output: { watchOutput(listener: OutputListener): () => void };
  readonly records: { subscribe(listener: RecordListener): () => void };
  /** The region of Tencent-signed requests that send no X-TC-Region (the SCF API's default). */
  readonly defaultRegion: string;
}

/** The open tails of a server; `closeAll` ends them so the server can stop. */
export class LiveTails {
  readonly #deps: TailDeps;
  readonly #open = new Set<TailStream>();
  #closed = false;

  constructor(deps: TailDeps) {
    this.#deps = deps;
  }

  register(app: FastifyInstance): void {
    app.get(TAIL_PATH, async (request, reply) => {
      const requestId = randomUUID();
      try {
        const { account, filter } = await this.#admit(rawRequestOf(request));
        // Checked once admitted: the server may have begun to stop meanwhile.
        if (this.#closed) return await reply.code(503).header("connection", "close").send({ error: { code: "Stopping", message: "The server is stopping." }, requestId });
        this.#open.add(new TailStream(reply, account.name, filter, this.#deps, (stream) => this.#open.delete(stream)));
      } catch (error) {
        const quiverError = toQuiverError(error);
        if (!quiverError.isUserError) request.log.error({ err: error, requestId }, "live tail failed");
        await refuse(reply, quiverError, requestId);
      }
    });
  }

  /** Ends every open tail with a `close` event and opens no more (the server is stopping). */
  closeAll(): void {
    this.#closed = true;
    for (const stream of this.#open) stream.end("the server is stopping");
  }

  async #admit(raw: RawHttpRequest): Promise<{ account: Account; filter: TailFilter }> {
    const { account, scope } = signerOf(raw, this.#deps.accounts, this.#deps.defaultRegion);
    const query = new URLSearchParams(raw.rawQuery);
    const name = query.get("function") ?? "";
    if (name === "") throw new QuiverError("MissingParameter", "Name the function to tail: ?function=<name> (and optionally &namespace= and &qualifier=).");
    const namespace = query.get("namespace") || DEFAULT_NAMESPACE;
    const fn = await this.#deps.findFunction({ scope, namespace, name });
    const open = [...this.#open].filter((stream) => stream.accountName === account.name).length;
    if (open >= MAX_TAILS_PER_ACCOUNT) throw new QuiverError("RateLimited", `At most ${MAX_TAILS_PER_ACCOUNT} live tails may be open per account; close one first.`);
    return { account, filter: { scope, functionId: fn.id, qualifier: tailQualifier(query.get("qualifier") ?? undefined) } };
  }
}

/** One open tail: subscribed to the engine's output and the recorder until either side ends it. */
class TailStream {
  readonly accountName: string;
  readonly #res: ServerResponse;
  readonly #unsubscribe: Array<() => void>;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #onEnd: (stream: TailStream) => void;
  #ended = false;

  constructor(reply: FastifyReply, accountName: string, filter: TailFilter, deps: TailDeps, onEnd: (stream: TailStream) => void) {
    this.accountName = accountName;
    this.#onEnd = onEnd;
    reply.hijack();
    this.#res = reply.raw;
    // `connection: close`: the socket goes with the stream, so a stopping server is not held open.
    this.#res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "close", "x-accel-buffering": "no" });
    this.#res.on("close", () => this.#cleanup());
    this.#unsubscribe = [
      deps.output.watchOutput((chunk) => {
        if (tailSees(filter, chunkSubject(chunk))) this.#send("log", { requestId: chunk.requestId, versionName: chunk.target.version, stream: chunk.stream, text: chunk.text });
      }),
      deps.records.subscribe((record) => {
        if (tailSees(filter, record)) this.#send("end", summaryOf(record));
      }),
    ];
    this.#heartbeat = setInterval(() => this.#write(": keep-alive\n\n"), HEARTBEAT_MS);
    this.#heartbeat.unref();
    this.#send("ready", { functionId: filter.functionId, qualifier: filter.qualifier });
  }

  /** Sends a last `close` event and ends the response. */
  end(reason: string): void {
    if (this.#ended) return;
    this.#send("close", { reason });
    this.#res.end();
    this.#cleanup();
  }

  #send(event: string, data: unknown): void {
    // JSON escapes line breaks, so each event's data is one `data:` line.
    this.#write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  #write(text: string): void {
    if (this.#ended) return;
    if (this.#res.writableLength > MAX_BUFFERED_BYTES) {
      this.#res.destroy();
      this.#cleanup();
      return;
    }
    this.#res.write(text);
  }

  #cleanup(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#heartbeat);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#onEnd(this);
  }
}

/** The `end` event: an invocation's record without its log (already streamed) and result. */
function summaryOf(record: InvocationRecord): Record<string, unknown> {
  const { requestId, qualifier, versionName, alias, source, startedAt, durationMs, billedMs, memoryUsedBytes, memoryMb, resultCode, errorMessage, logTruncated } = record;
  return { requestId, qualifier, versionName, alias, source, startedAt: new Date(startedAt).toISOString(), durationMs, billedMs, memoryUsedBytes, memoryMb, resultCode, errorMessage, logTruncated };
}

async function refuse(reply: FastifyReply, error: QuiverError, requestId: string): Promise<void> {
  await sendAnswer(reply, quiverErrorAnswer(error, requestId));
}
