import type { InvocationRecord } from "../../../core/invocation-records.js";
import { beyondCursor, lineMatches, ltsIdsOf, numberLines, parseLogQuery, scanWindow, streamFunctionId, type LogLine } from "../lts.js";
import { jsonBody } from "../schema.js";
import { atRate } from "../../shared/pipeline.js";
import { functionOf, ok, type FgsActions, type FgsContext, type FgsOperation } from "./context.js";

/** showLtsLogDetails: the log group and stream of the URN's function. */
const showLtsLogDetails: FgsOperation = async (ctx) => {
  const fn = await ctx.service.functions.get(functionOf(ctx));
  return ok(ltsIdsOf(ctx.out.projectId, fn));
};

/** Records are read this many at a time… */
const SCAN_PAGE = 100;
/** …and one query looks through at most this many invocations (`isQueryComplete` says when it stopped short). */
const MAX_SCANNED = 5000;

/**
 * The function's invocations in the window in start order (or reverse), grouped by the
 * millisecond they started in, since a line's number depends on the others of its millisecond.
 */
async function* startGroups(ctx: FgsContext, functionId: string, window: { from: number; to: number }, descending: boolean, scanned: { count: number }): AsyncGenerator<InvocationRecord[]> {
  let group: InvocationRecord[] = [];
  while (scanned.count < MAX_SCANNED) {
    const limit = Math.min(SCAN_PAGE, MAX_SCANNED - scanned.count);
    const page = await ctx.records.queryInvocationRecords(ctx.scope, { functionId, ...window, offset: scanned.count, limit, order: descending ? "DESC" : "ASC", orderBy: "startedAt" });
    for (const record of page.items) {
      if (group[0] !== undefined && group[0].startedAt !== record.startedAt) {
        yield group;
        group = [];
      }
      group.push(record);
    }
    scanned.count += page.items.length;
    if (page.items.length < limit) break;
  }
  if (group.length > 0) yield group;
}

/**
 * LTS's ListLogs for a function's stream: the lines the function printed, each labelled with
 * its invocation, filtered by labels and keyword, paged by line number. `count` counts every
 * matching line of the window when `is_count` is set; otherwise it is the page's length.
 */
const listLogs: FgsOperation = async (ctx) => {
  const functionId = streamFunctionId(ctx.out.projectId, ctx.logStream ?? { groupId: "", streamId: "" });
  const query = parseLogQuery(jsonBody(ctx.body));
  const window = query.count ? { from: query.from, to: query.to } : scanWindow(query);
  const scanned = { count: 0 };
  const logs: LogLine[] = [];
  let count = 0;
  for await (const group of startGroups(ctx, functionId, window, query.scanDescending, scanned)) {
    const lines = numberLines(group);
    if (query.scanDescending) lines.reverse();
    for (const line of lines) {
      if (!lineMatches(query, line)) continue;
      count += 1;
      if (logs.length < query.limit && beyondCursor(query, line)) logs.push(line);
    }
    if (!query.count && logs.length >= query.limit) break;
  }
  // A page scanned against its order (the one before an ascending page, or after a descending one) reads back in its order.
  if (query.scanDescending !== query.descending) logs.reverse();
  return ok({ count: query.count ? count : logs.length, logs, isQueryComplete: scanned.count < MAX_SCANNED });
};

/** Log operations by wire name; neither service documents a rate for them. */
export const LOG_ACTIONS = atRate(100, { showLtsLogDetails, listLogs }) satisfies FgsActions;
