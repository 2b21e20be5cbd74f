/**
 * `quiver logs --dialect fgs`: a function's logs live in LTS, Huawei's log service, in the
 * group and stream `showLtsLogDetails` names. LTS's log query (`ListLogs`) answers lines, each
 * labelled with its invocation's `requestId` and the `version` that ran; they are put back
 * together into one entry per invocation, oldest first. LTS says nothing of an invocation's
 * outcome or duration (those stay null), and an invocation that printed nothing has no lines.
 */
import type { BasicCredentials } from "@huaweicloud/huaweicloud-sdk-core";
import { fromSdkError } from "./failure.js";
import { refusalOf, signedRequest } from "./huawei-signed.js";
import type { LogEntry } from "./platform.js";
import { scfTime } from "./scf-platform.js";

/** LTS's largest page. */
const PAGE = 5000;

interface LogLine {
  readonly content: string;
  readonly line_num: string;
  readonly labels?: Readonly<Record<string, string>>;
}

interface LogPage {
  readonly logs?: readonly LogLine[];
  readonly isQueryComplete?: boolean;
}

export interface LtsStream {
  /** The LTS API's base URL (Quiver's own endpoint, or `https://lts.{region}.myhuaweicloud.com`). */
  readonly base: string;
  readonly credential: BasicCredentials;
  readonly projectId: string;
  readonly groupId: string;
  readonly streamId: string;
}

/** Every line of the stream in [sinceMs, untilMs], oldest first, paging forwards from the last line read. */
export async function streamLines(stream: LtsStream, sinceMs: number, untilMs: number): Promise<LogLine[]> {
  const url = `${stream.base}/v2/${stream.projectId}/groups/${stream.groupId}/streams/${stream.streamId}/content/query`;
  const query = { start_time: String(sinceMs), end_time: String(untilMs), limit: PAGE, is_desc: false };
  const lines: LogLine[] = [];
  let after: string | undefined;
  for (;;) {
    const answer = await signedRequest(stream.credential, stream.projectId, "POST", url, after === undefined ? query : { ...query, search_type: "forwards", line_num: after });
    if (answer.status >= 300) throw fromSdkError(refusalOf(answer));
    const page = (answer.json ?? {}) as LogPage;
    const logs = page.logs ?? [];
    lines.push(...logs);
    const last = logs.at(-1);
    // A short page that looked at everything is the end; a query that stopped early goes on after its last line.
    // A page that did not move past the cursor would be read forever: stop there.
    if (last === undefined || last.line_num === after || (logs.length < PAGE && page.isQueryComplete !== false)) return lines;
    after = last.line_num;
  }
}

const startOf = (lineNum: string): number => (/^\d{1,30}$/.test(lineNum) ? Number(BigInt(lineNum) / 1_000_000n) : 0);

/** The head, however the API that labelled it spells it. */
const sameVersion = (a: string, b: string): boolean => (a === "$LATEST" ? "latest" : a) === (b === "$LATEST" ? "latest" : b);

/**
 * One entry per invocation, in the order of their first lines. `versions`, when given, keeps the
 * invocations that ran one of them. An LTS line number is its time in nanoseconds (Quiver:
 * milliseconds times a million plus the line's place), so the first line dates the invocation.
 */
export function entriesOf(lines: readonly LogLine[], versions: readonly string[] | null): LogEntry[] {
  const byRequest = new Map<string, { startMs: number; lines: string[] }>();
  for (const line of lines) {
    const version = line.labels?.["version"] ?? "";
    if (versions !== null && !versions.some((v) => sameVersion(v, version))) continue;
    const requestId = line.labels?.["requestId"] ?? "";
    const entry = byRequest.get(requestId) ?? { startMs: startOf(line.line_num), lines: [] };
    entry.lines.push(line.content);
    byRequest.set(requestId, entry);
  }
  return [...byRequest].map(([requestId, e]) => ({ requestId, startTime: scfTime(e.startMs), retCode: null, durationMs: null, log: `${e.lines.join("\n")}\n`, result: null }));
}
