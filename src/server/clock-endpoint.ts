import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { QuiverError } from "../core/errors.js";
import type { TimerScheduler } from "../core/timer-scheduler.js";
import type { Clock } from "../core/ports.js";

/** Largest single advance: a year. Longer jumps are several calls. */
const MAX_ADVANCE_MS = 366 * 24 * 3_600_000;

/**
 * The virtual clock's endpoints, registered only with `--clock virtual` (otherwise the paths are
 * unknown, as any other): `GET /quiver/v1/clock` shows the time; `POST /quiver/v1/clock/advance`
 * with `{"ms": N}` moves it forward, firing every timer due on the way, in order. Answered only
 * to clients on this host (loopback): it carries no vendor signature to check.
 */
export function registerClockEndpoints(app: FastifyInstance, clock: Clock, scheduler: TimerScheduler): void {
  app.get("/quiver/v1/clock", async (request, reply) => {
    if (!fromLoopback(request)) return refuseRemote(reply);
    return { now: new Date(clock.now()).toISOString(), nowMs: clock.now() };
  });
  app.post("/quiver/v1/clock/advance", async (request, reply) => {
    if (!fromLoopback(request)) return refuseRemote(reply);
    const ms = advanceOf(request.body);
    if (typeof ms === "string") return reply.code(400).send({ error: ms });
    try {
      const { now, fired } = await scheduler.advance(ms);
      return { now: new Date(now).toISOString(), nowMs: now, fired };
    } catch (error) {
      if (error instanceof QuiverError) return reply.code(400).send({ error: error.message });
      throw error;
    }
  });
}

/** The `ms` to advance by, or what is wrong with the body. */
function advanceOf(body: unknown): number | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.isBuffer(body) ? body.toString("utf8") : "");
  } catch {
    return 'the body must be JSON: {"ms": <milliseconds to advance>}';
  }
  const ms = (parsed as { ms?: unknown } | null)?.ms;
  if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms < 0 || ms > MAX_ADVANCE_MS) {
    return `"ms" must be a whole number of milliseconds from 0 to ${MAX_ADVANCE_MS} (a year)`;
  }
  return ms;
}

function fromLoopback(request: FastifyRequest): boolean {
  const address = request.socket.remoteAddress ?? "";
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

function refuseRemote(reply: FastifyReply): FastifyReply {
  return reply.code(403).send({ error: "the clock can be advanced only from this host (loopback)" });
}
