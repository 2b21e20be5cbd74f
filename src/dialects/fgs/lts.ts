import { createHash } from "node:crypto";
import { z } from "zod";
import { QuiverError, invalid } from "../../core/errors.js";
import type { InvocationRecord } from "../../core/invocation-records.js";
import type { FunctionRecord } from "../../core/model.js";
import { parseBody } from "./schema.js";

/**
 * FunctionGraph keeps function logs in LTS, a separate service. Quiver serves the part of it a
 * function's logs need: each project has one log group, each function one log stream whose id
 * is the function's own id, and LTS's log query (ListLogs) reads the stream's lines from the
 * invocation records. Pure: the actions read the records.
 */

export interface LtsIds {
  readonly group_name: string;
  readonly group_id: string;
  readonly stream_name: string;
  readonly stream_id: string;
}

const GROUP_NAME = "functiongraph.log.group";

/** The project's log group id: UUID-shaped (36 characters, as LTS ids are), the same on every node. */
export function ltsGroupId(projectId: string): string {
  const hex = createHash("sha256").update(`quiver-lts-group:${projectId}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The log group and stream of a function (showLtsLogDetails, and the function's log_group_id/log_stream_id). */
export function ltsIdsOf(projectId: string, fn: Pick<FunctionRecord, "id" | "namespace" | "name">): LtsIds {
  return { group_name: GROUP_NAME, group_id: ltsGroupId(projectId), stream_name: `${fn.namespace}.${fn.name}`, stream_id: fn.id };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The function a query's stream names: refused unless the group is the project's. */
export function streamFunctionId(projectId: string, stream: { readonly groupId: string; readonly streamId: string }): string {
  if (stream.groupId !== ltsGroupId(projectId)) {
    throw invalid("log_group_id", `Log group ${stream.groupId} does not exist in project ${projectId}; showLtsLogDetails names the group of a function.`);
  }
  if (!UUID.test(stream.streamId)) throw invalid("log_stream_id", `Log stream ${stream.streamId} does not exist: a stream id is 36 characters.`);
  return stream.streamId;
}

/** Epoch milliseconds, as a string (the documented type) or a number (the documented examples). */
const millis = z.union([z.string().regex(/^\d{1,15}$/, "epoch milliseconds"), z.number().int().nonnegative()]).transform(Number);
const flag = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

const ListLogsBody = z.object({
  start_time: millis,
  end_time: millis,
  labels: z.record(z.string(), z.string()).nullish(),
  keywords: z.string().max(1024).nullish(),
  line_num: z.string().regex(/^\d{19}$/, "a 19-digit line number").nullish(),
  is_desc: flag.nullish(),
  search_type: z.enum(["init", "forwards", "backwards"]).nullish(),
  limit: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(1).max(5000)).nullish(),
  is_count: flag.nullish(),
});

/** LTS's documented default page and longest window. */
const DEFAULT_LIMIT = 50;
const MAX_WINDOW_MS = 180 * 24 * 60 * 60 * 1000;

export interface LogQuery {
  readonly from: number;
  readonly to: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly keywords: string;
  /** Where a page starts, exclusive: lines after it in the direction of the scan. */
  readonly cursor: bigint | null;
  /** Lines come back newest first. */
  readonly descending: boolean;
  /** The scan runs towards older lines (a descending page, or the page before an ascending one). */
  readonly scanDescending: boolean;
  readonly limit: number;
  readonly count: boolean;
}

export function parseLogQuery(body: Record<string, unknown>): LogQuery {
  const p = parseBody(ListLogsBody, body);
  if (p.end_time < p.start_time) throw invalid("end_time", "end_time is before start_time.");
  if (p.end_time - p.start_time > MAX_WINDOW_MS) throw invalid("end_time", "start_time and end_time may be at most 180 days apart.");
  const descending = p.is_desc ?? false;
  const paging = p.search_type === "forwards" || p.search_type === "backwards";
  if (paging && (p.line_num === undefined || p.line_num === null)) {
    throw new QuiverError("MissingParameter", `search_type ${p.search_type ?? ""} pages from a line: line_num is required.`, { parameter: "line_num" });
  }
  const backwards = p.search_type === "backwards";
  return {
    from: p.start_time,
    to: p.end_time,
    labels: p.labels ?? {},
    keywords: p.keywords ?? "",
    cursor: paging && p.line_num ? BigInt(p.line_num) : null,
    descending,
    scanDescending: descending !== backwards,
    limit: p.limit ?? DEFAULT_LIMIT,
    count: p.is_count ?? false,
  };
}

export interface LogLine {
  readonly content: string;
  readonly line_num: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Lines per millisecond: a line number is the invocation's start (epoch ms) times this, plus
 * the line's place among the lines of the invocations that started in that millisecond (19
 * digits, like LTS's). Invocations starting in the same millisecond are numbered by request id.
 */
const LINES_PER_MS = 1_000_000n;

/** The labels a line carries, and a query may filter on. */
function labelsOf(record: InvocationRecord): Record<string, string> {
  return { requestId: record.requestId, functionName: record.functionName, package: record.namespace, version: record.versionName, category: "LTS" };
}

/** Numbers the lines of invocations that started in the same millisecond, oldest line first. */
export function numberLines(sameMs: readonly InvocationRecord[]): LogLine[] {
  const lines: LogLine[] = [];
  const sorted = [...sameMs].sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
  let seq = 0n;
  for (const record of sorted) {
    const base = BigInt(record.startedAt) * LINES_PER_MS;
    const labels = labelsOf(record);
    const text = record.log.endsWith("\n") ? record.log.slice(0, -1) : record.log;
    if (text === "") continue;
    for (const content of text.split("\n")) {
      // More lines than numbers in one millisecond (a million): the rest are not listed.
      if (seq >= LINES_PER_MS) return lines;
      lines.push({ content, line_num: String(base + seq), labels });
      seq += 1n;
    }
  }
  return lines;
}

/** Whether a line is one the query asks for (its labels, its keyword), ignoring the page. */
export function lineMatches(query: LogQuery, line: LogLine): boolean {
  if (query.keywords !== "" && !line.content.includes(query.keywords)) return false;
  return Object.entries(query.labels).every(([key, value]) => Object.hasOwn(line.labels, key) && line.labels[key] === value);
}

/** Whether a line lies beyond the page's starting line, in the direction of the scan. */
export function beyondCursor(query: LogQuery, line: LogLine): boolean {
  if (query.cursor === null) return true;
  const n = BigInt(line.line_num);
  return query.scanDescending ? n < query.cursor : n > query.cursor;
}

/** The records' time range a scan needs: a cursor narrows it to the cursor's millisecond onwards. */
export function scanWindow(query: LogQuery): { from: number; to: number } {
  if (query.cursor === null) return { from: query.from, to: query.to };
  const ms = Number(query.cursor / LINES_PER_MS);
  return query.scanDescending ? { from: query.from, to: Math.min(query.to, ms) } : { from: Math.max(query.from, ms), to: query.to };
}
