/**
 * The per-invocation metrics (`quiver_invocations_total`, `quiver_invocation_duration_seconds`),
 * tallied in plain objects and turned into Prometheus series only when scraped.
 *
 * prom-client's `Counter.inc` and `Histogram.observe` check and hash the label set on every
 * call, and a label-bound child does the same. Every invocation is counted on the server's main
 * thread, the one that serves every HTTP trigger request: here a call is counted with one map
 * lookup (the label cap is asked once per function, version and outcome), and the label work
 * is done once per series at each scrape. The exposition is what prom-client writes for a
 * counter and a histogram with these names, labels and buckets.
 */
import type { Registry } from "prom-client";
import type { InvocationRecord } from "../core/invocation-records.js";
import type { FunctionLabelCap, FunctionLabels } from "./metric-labels.js";

/** The version label of an invocation that ran nothing (an async one whose function was deleted first). */
const NOTHING_RAN = "_none";

/** Seconds: from a few ms (a warm call) to SCF's 900 s limit. */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/** One function version's series (after the label cap): counts by source and result, and the duration histogram. */
interface Series {
  readonly labels: FunctionLabels;
  /** Count per `source` and `result` label pair. */
  readonly outcomes: Map<string, { readonly source: string; readonly result: string; n: number }>;
  /** Durations per bucket (not cumulative); the last slot holds those above every bound. */
  readonly buckets: number[];
  sum: number;
  count: number;
}

/** A scraped value as prom-client's registry renders it. */
interface Value {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}

/** What prom-client's registry reads from a metric. */
interface PromMetric {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "histogram";
  readonly aggregator: "sum";
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }>;
}

/** Calls seen are remembered up to this many distinct keys (function, version, outcome), then forgotten and asked of the cap again. */
const MAX_REMEMBERED_CALLS = 10_000;

export class InvocationTallies {
  readonly #cap: FunctionLabelCap;
  /** Series by their labels (several functions or versions can share `_other` labels). */
  readonly #series = new Map<string, Series>();
  /** The series and outcome slot of each distinct call seen: what the cap decided, asked once. */
  readonly #calls = new Map<string, { readonly series: Series; readonly outcome: { n: number } }>();

  constructor(cap: FunctionLabelCap) {
    this.#cap = cap;
  }

  /** Counts one invocation's record; its duration when it ran (a throttled call did not). */
  record(record: InvocationRecord): void {
    const version = record.versionName || NOTHING_RAN;
    const callKey = `${record.scope.accountId}\n${record.scope.region}\n${record.namespace}\n${record.functionName}\n${version}\n${record.source}\n${record.resultCode}`;
    let call = this.#calls.get(callKey);
    if (call === undefined) {
      call = this.#slot(record, version);
      if (this.#calls.size >= MAX_REMEMBERED_CALLS) this.#calls.clear();
      this.#calls.set(callKey, call);
    }
    call.outcome.n += 1;
    // A throttled call's time is its wait for an instance, not a run; an async one that ran nothing has none.
    if (record.versionName === "" || record.resultCode === "throttled") return;
    const seconds = record.durationMs / 1000;
    const { series } = call;
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[i] as number)) i++;
    series.buckets[i] = (series.buckets[i] ?? 0) + 1;
    series.sum += seconds;
    series.count += 1;
  }

  #slot(record: InvocationRecord, version: string): { series: Series; outcome: { n: number } } {
    const labels = this.#cap.labels(record.scope, record.namespace, record.functionName, version);
    const seriesKey = `${labels.account}\n${labels.region}\n${labels.namespace}\n${labels.function}\n${labels.version}`;
    let series = this.#series.get(seriesKey);
    if (series === undefined) {
      series = { labels, outcomes: new Map(), buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.#series.set(seriesKey, series);
    }
    const outcomeKey = `${record.source}\n${record.resultCode}`;
    let outcome = series.outcomes.get(outcomeKey);
    if (outcome === undefined) {
      outcome = { source: record.source, result: record.resultCode, n: 0 };
      series.outcomes.set(outcomeKey, outcome);
    }
    return { series, outcome };
  }

  /** Registers the two metrics on `registry`. */
  register(registry: Registry): void {
    const counter = this.#metric("quiver_invocations_total", "counter", "Invocations finished (or refused), by what made them (invoke, async, http, timer) and result: success, function-error, timeout, memory, start-failure, throttled.", () => this.#counts());
    const histogram = this.#metric("quiver_invocation_duration_seconds", "histogram", "Duration of invocations that ran (throttled ones excluded).", () => this.#durations());
    // The registry takes any object that answers `get()` as prom-client's own metrics do.
    registry.registerMetric(counter as unknown as Parameters<Registry["registerMetric"]>[0]);
    registry.registerMetric(histogram as unknown as Parameters<Registry["registerMetric"]>[0]);
  }

  #metric(name: string, type: PromMetric["type"], help: string, values: () => Value[]): PromMetric {
    return { name, help, type, aggregator: "sum", get: () => Promise.resolve({ name, help, type, aggregator: "sum", values: values() }) };
  }

  #counts(): Value[] {
    const out: Value[] = [];
    for (const s of this.#series.values()) {
      for (const o of s.outcomes.values()) if (o.n > 0) out.push({ labels: { ...s.labels, source: o.source, result: o.result }, value: o.n });
    }
    return out;
  }

  #durations(): Value[] {
    const name = "quiver_invocation_duration_seconds";
    const out: Value[] = [];
    for (const s of this.#series.values()) {
      if (s.count === 0) continue;
      let cumulative = 0;
      DURATION_BUCKETS.forEach((le, i) => {
        cumulative += s.buckets[i] ?? 0;
        out.push({ labels: { ...s.labels, le }, value: cumulative, metricName: `${name}_bucket` });
      });
      out.push({ labels: { ...s.labels, le: "+Inf" }, value: s.count, metricName: `${name}_bucket` });
      out.push({ labels: { ...s.labels }, value: s.sum, metricName: `${name}_sum` });
      out.push({ labels: { ...s.labels }, value: s.count, metricName: `${name}_count` });
    }
    return out;
  }
}
