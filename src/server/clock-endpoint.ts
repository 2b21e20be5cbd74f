import type { FastifyInstance, FastifyRequest } from "fastify";
import { QuiverError } from "../core/errors.js";
import type { TimerScheduler } from "../core/timer-scheduler.js";
import type { Clock } from "../core/ports.js";

/** Largest single advance: a year. Longer jumps are several calls. */
const MAX_ADVANCE_MS = 366 * 24 * 3_600_000;

/**
 * The virtual clock's endpoints, registered only with `--clock virtual` (otherwise the paths are
 * unknown, as any other), in Quiver's own API scope (paths relative to `/quiver`, refusals in its
 * one shape): `GET /quiver/v1/clock` shows the time; `POST /quiver/v1/clock/advance`
 * with `{"ms": N}` moves it forward, firing every timer due on the way, in order, then has the
 * capacity keeper apply the provisioned counts due at the time reached. Answered only
 * to clients on this host (loopback): it carries no vendor signature to check.
 */
export function registerClockEndpoints(app: FastifyInstance, clock: Clock, scheduler: TimerScheduler, clockMoved: () => Promise<void>): void {
  app.get("/v1/clock", async (request) => {
    if (!fromLoopback(request)) refuseRemote();
    return { now: new Date(clock.now()).toISOString(), nowMs: clock.now() };
  });
  app.post("/v1/clock/advance", async (request) => {
    if (!fromLoopback(request)) refuseRemote();
    const ms = advanceOf(request.body);
    if (typeof ms === "string") throw new QuiverError("InvalidParameter", ms);
    // A refused advance (too many fire times) is a QuiverError: the scope's handler answers it.
    const { now, fired } = await scheduler.advance(ms);
    // Scheduled capacity follows the clock too: the counts due now are asked for before the answer.
    await clockMoved();
    return { now: new Date(now).toISOString(), nowMs: now, fired };
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

function refuseRemote(): never {
  throw new QuiverError("AuthForbidden", "the clock can be read and advanced only from this host (loopback)");
}
