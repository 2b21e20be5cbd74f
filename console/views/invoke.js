import { useState } from "preact/hooks";
import { ErrorNote, formatBytes, html, useLoad } from "../ui.js";

/** The qualifiers a person can invoke: $LATEST, the published versions, the aliases. */
export function useQualifiers(backend, namespace, name) {
  return useLoad(async () => {
    const [versions, aliases] = await Promise.all([backend.versions(namespace, name), backend.aliases(namespace, name).catch(() => [])]);
    return [...versions.map((v) => v.version), ...aliases.map((a) => a.name)];
  }, [namespace, name]);
}

/** Invoke a qualifier with an event (validated as JSON before it is sent); the result, log, duration, memory, version. */
export function Invoke({ backend, namespace, name }) {
  const qualifiers = useQualifiers(backend, namespace, name);
  const [qualifier, setQualifier] = useState("$LATEST");
  const [event, setEvent] = useState('{\n  "hello": "quiver"\n}');
  const [invalid, setInvalid] = useState("");
  const [error, setError] = useState(null);
  const [outcome, setOutcome] = useState(null);
  const [busy, setBusy] = useState(false);

  function edit(text) {
    setEvent(text);
    try {
      JSON.parse(text);
      setInvalid("");
    } catch (e) {
      setInvalid(e.message);
    }
  }
  async function submit(e) {
    e.preventDefault();
    if (invalid) return;
    setBusy(true);
    setError(null);
    try {
      setOutcome(await backend.invoke(namespace, name, qualifier, JSON.stringify(JSON.parse(event))));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="card" onSubmit=${submit} aria-label="Invoke">
      <label>Qualifier <select value=${qualifier} onChange=${(e) => setQualifier(e.currentTarget.value)}>
        ${(qualifiers.data ?? ["$LATEST"]).map((q) => html`<option value=${q}>${q}</option>`)}</select></label>
      <label>Event (JSON)
        <textarea rows="8" spellcheck="false" value=${event} onInput=${(e) => edit(e.currentTarget.value)} aria-invalid=${invalid ? "true" : "false"} aria-describedby="event-check"></textarea></label>
      <p id="event-check" class=${invalid ? "error" : "muted"} role=${invalid ? "alert" : undefined}>${invalid ? `Not valid JSON: ${invalid}` : "Valid JSON."}</p>
      <button type="submit" class="primary" disabled=${busy || invalid !== ""}>${busy ? "Invoking…" : "Invoke"}</button>
    </form>
    <${ErrorNote} error=${error} />
    ${outcome ? html`<section class="card outcome" aria-label="Invocation result">
      <p><span class=${outcome.ok ? "status active" : "status failed"}>${outcome.ok ? "Succeeded" : "Failed"}</span>
        · version <strong data-testid="served-version">${outcome.version}</strong>
        · ${outcome.durationMs} ms · ${formatBytes(outcome.memoryBytes)}
        · request <code>${outcome.requestId}</code></p>
      <h3>Result</h3><pre class="source">${outcome.result}</pre>
      <h3>Log</h3><pre class="source">${outcome.log}</pre>
    </section>` : null}`;
}
