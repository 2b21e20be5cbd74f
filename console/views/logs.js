import { useEffect, useRef, useState } from "preact/hooks";
import { openTail } from "../tail.js";
import { ErrorNote, formatBytes, html, Loading, useLoad } from "../ui.js";
import { useQualifiers } from "./invoke.js";

/** The live tail, and past invocations filtered by qualifier, result and time, each one's full record. */
export function Logs({ backend, namespace, name }) {
  const qualifiers = useQualifiers(backend, namespace, name);
  return html`
    <${LiveTail} namespace=${namespace} name=${name} qualifiers=${qualifiers.data ?? []} />
    <${History} backend=${backend} namespace=${namespace} name=${name} qualifiers=${qualifiers.data ?? []} />`;
}

const MAX_LINES = 500;

/** The result filters (SCF's GetFunctionLogs RetCode values, named for a person). */
const RESULTS = [
  ["", "any"],
  ["is0", "succeeded"],
  ["not0", "failed (any)"],
  ["UserCodeException", "failed: function error"],
  ["TimeLimitExceeded", "failed: timeout"],
  ["ResourceLimitExceeded", "failed: memory or concurrency"],
];

function LiveTail({ namespace, name, qualifiers }) {
  const [qualifier, setQualifier] = useState("");
  const [lines, setLines] = useState([]);
  const [state, setState] = useState("connecting");
  const [error, setError] = useState(null);
  const box = useRef(null);
  useEffect(() => {
    let close = () => undefined;
    let live = true;
    setLines([]);
    setState("connecting");
    const add = (line) => setLines((all) => [...all.slice(-MAX_LINES + 1), line]);
    openTail({ namespace, name, qualifier }, ({ event, data }) => {
      if (event === "ready") setState("live");
      else if (event === "log") add({ kind: data.stream, text: data.text, id: data.requestId, version: data.versionName });
      else if (event === "end") add({ kind: data.resultCode === "success" ? "end" : "end failed", text: `${data.resultCode} · ${Math.round(data.durationMs * 1000) / 1000} ms · version ${data.versionName}${data.errorMessage ? ` · ${data.errorMessage}` : ""}`, id: data.requestId, version: data.versionName });
      else if (event === "close") setState("closed");
    }).then(
      (stop) => (live ? (close = stop) : stop()),
      (e) => {
        setError(e);
        setState("refused");
      },
    );
    return () => {
      live = false;
      close();
    };
  }, [namespace, name, qualifier]);
  useEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);
  return html`<section class="card" aria-label="Live tail">
    <div class="row"><h2 class="grow">Live tail <span class=${`dot ${state}`} aria-live="polite">${state}</span></h2>
      <label>Qualifier <select value=${qualifier} onChange=${(e) => setQualifier(e.currentTarget.value)}>
        <option value="">every qualifier</option>${qualifiers.map((q) => html`<option value=${q}>${q}</option>`)}</select></label>
      <button type="button" onClick=${() => setLines([])}>Clear</button></div>
    <${ErrorNote} error=${error} />
    <pre class="source tail" ref=${box} tabindex="0" aria-label="Live output" data-testid="tail">${lines.length === 0 ? html`<span class="muted">Waiting for invocations…</span>` : lines.map((l) => html`<span class=${l.kind}><span class="muted">${l.id.slice(0, 8)} ${l.version}</span> ${l.text.replace(/\n$/, "")}${"\n"}</span>`)}</pre>
  </section>`;
}

function History({ backend, namespace, name, qualifiers }) {
  const [filter, setFilter] = useState({ qualifier: "", result: "", from: "", to: "", requestId: "" });
  const logs = useLoad(() => backend.logs(namespace, name, {
    ...filter,
    from: filter.from ? new Date(filter.from) : undefined,
    to: filter.to ? new Date(filter.to) : undefined,
  }), [namespace, name, filter]);
  const [open, setOpen] = useState(null);
  const submit = (e) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setFilter(Object.fromEntries(["qualifier", "result", "from", "to", "requestId"].map((k) => [k, String(form.get(k) ?? "")])));
  };
  return html`<section class="card" aria-label="Past invocations">
    <h2>Past invocations</h2>
    <form class="row toolbar" onSubmit=${submit} aria-label="Filter invocations">
      <label>Qualifier <select name="qualifier"><option value="">any</option>${qualifiers.map((q) => html`<option value=${q}>${q}</option>`)}</select></label>
      <label>Result <select name="result">${RESULTS.map(([value, label]) => html`<option value=${value}>${label}</option>`)}</select></label>
      <label>From <input type="datetime-local" name="from" step="1" /></label>
      <label>To <input type="datetime-local" name="to" step="1" /></label>
      <label>Request id <input name="requestId" spellcheck="false" /></label>
      <button type="submit">Filter</button>
    </form>
    <${Loading} state=${logs}>${(list) => list.length === 0 ? html`<p class="muted">No invocations match.</p>` : html`<div class="scroll"><table class="list" aria-label="Invocations">
      <thead><tr><th>Started</th><th>Request</th><th>Result</th><th>Duration</th><th>Memory</th></tr></thead>
      <tbody>${list.map((r) => html`<tr class=${r.ok ? "" : "failed"}>
        <td>${r.started}</td>
        <td><button type="button" class="linklike" onClick=${() => setOpen(r)} aria-label=${`Show the record of ${r.requestId}`}>${r.requestId}</button></td>
        <td>${r.ok ? "success" : `failed (${r.retCode})`}</td><td>${r.durationMs} ms</td><td>${formatBytes(r.memoryBytes)}</td></tr>`)}</tbody>
    </table></div>`}<//>
    ${open ? html`<section class="record" aria-label="Invocation record">
      <div class="row"><h3 class="grow">Request <code>${open.requestId}</code></h3><button type="button" onClick=${() => setOpen(null)}>Close</button></div>
      <p>${open.started} · ${open.ok ? "success" : `failed (${open.retCode})`} · ${open.durationMs} ms · ${formatBytes(open.memoryBytes)}</p>
      <h4>Result</h4><pre class="source">${open.result}</pre>
      <h4>Log</h4><pre class="source">${open.log}</pre>
    </section>` : null}
  </section>`;
}
