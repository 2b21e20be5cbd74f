import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { html, Loading, useLoad } from "../ui.js";

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04"];
const WINDOWS = [[15, "15 min"], [60, "1 hour"], [360, "6 hours"], [1440, "24 hours"]];

/** Invocations, errors and p50/p99 duration per version over time, from Quiver's per-account statistics. */
export function Metrics({ backend, namespace, name }) {
  const [minutes, setMinutes] = useState(60);
  const stats = useLoad(() => backend.stats(namespace, name, minutes), [namespace, name, minutes]);
  return html`
    <div class="row toolbar">
      <label>Window <select value=${minutes} onChange=${(e) => setMinutes(Number(e.currentTarget.value))}>
        ${WINDOWS.map(([m, label]) => html`<option value=${m}>${label}</option>`)}</select></label>
      <button type="button" onClick=${stats.reload}>Refresh</button>
    </div>
    <${Loading} state=${stats}>${(s) => {
      const versions = Object.keys(s.versions);
      if (versions.length === 0) return html`<p class="muted">No invocations in this window.</p>`;
      const x = s.times.map((t) => t / 1000);
      const series = (field) => versions.map((v) => s.versions[v][field]);
      return html`
        ${s.complete ? null : html`<p class="muted">Only the most recent invocations of this window are counted.</p>`}
        <${Chart} title="Invocations" x=${x} labels=${versions} data=${series("invocations")} />
        <${Chart} title="Errors" x=${x} labels=${versions} data=${series("errors")} />
        <${Chart} title="Duration p50 / p99 (ms)" x=${x}
          labels=${versions.flatMap((v) => [`${v} p50`, `${v} p99`])}
          data=${versions.flatMap((v) => [s.versions[v].p50Ms, s.versions[v].p99Ms])} dashed=${true} />
        <${Summary} stats=${s} versions=${versions} />`;
    }}<//>`;
}

/** One uPlot chart; `data` is one array per label, aligned with `x` (seconds). */
function Chart({ title, x, labels, data, dashed = false }) {
  const box = useRef(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const width = Math.max(280, el.clientWidth);
    const plot = new uPlot({
      width,
      height: 200,
      title,
      series: [{}, ...labels.map((label, i) => ({
        label,
        stroke: COLORS[(dashed ? Math.floor(i / 2) : i) % COLORS.length],
        width: 2,
        spanGaps: false,
        ...(dashed && i % 2 === 1 ? { dash: [6, 4] } : {}),
      }))],
      axes: [{}, { size: 50 }],
      scales: { y: { range: (_u, min, max) => [0, Math.max(1, max)] } },
    }, [x, ...data], el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: 200 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [title, x, labels, data]);
  return html`<figure class="chart" aria-label=${title}><div ref=${box}></div></figure>`;
}

/** The same figures as a table, for reading and for screen readers. */
function Summary({ stats, versions }) {
  const total = (arr) => arr.reduce((a, b) => a + (b ?? 0), 0);
  const worst = (arr) => Math.max(0, ...arr.filter((v) => v !== null));
  return html`<div class="scroll"><table class="list" aria-label="Totals per version">
    <thead><tr><th>Version</th><th>Invocations</th><th>Errors</th><th>Error rate</th><th>Worst p99 (ms)</th></tr></thead>
    <tbody>${versions.map((v) => {
      const s = stats.versions[v];
      const n = total(s.invocations);
      const e = total(s.errors);
      return html`<tr><td>${v}</td><td>${n}</td><td>${e}</td><td>${n ? ((100 * e) / n).toFixed(1) : "0.0"} %</td><td>${worst(s.p99Ms).toFixed(1)}</td></tr>`;
    })}</tbody></table></div>`;
}
