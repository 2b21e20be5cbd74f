import { useState } from "preact/hooks";
import { ErrorNote, html, Loading, useLoad } from "../ui.js";

/** Triggers by qualifier: their URLs (open in a new tab), enable/disable, fire a timer now. */
export function Triggers({ backend, namespace, name }) {
  const triggers = useLoad(() => backend.triggers(namespace, name), [namespace, name]);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState("");
  async function act(work, message) {
    setError(null);
    try {
      setNotice(message(await work()));
      triggers.reload();
    } catch (e) {
      setNotice("");
      setError(e);
    }
  }
  return html`
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <${ErrorNote} error=${error} />
    <${Loading} state=${triggers}>${(list) => {
      if (list.length === 0) return html`<p class="muted">No triggers.</p>`;
      const byQualifier = Map.groupBy ? Map.groupBy(list, (t) => t.qualifier) : group(list);
      return [...byQualifier].map(([qualifier, items]) => html`<h2>Qualifier ${qualifier}</h2>
        <div class="scroll"><table class="list" aria-label=${`Triggers of ${qualifier}`}>
          <thead><tr><th>Name</th><th>Type</th><th>State</th><th>URL</th><th><span class="sr">Actions</span></th></tr></thead>
          <tbody>${items.map((t) => html`<tr>
            <td>${t.name}</td><td>${t.type}</td><td>${t.enabled ? "enabled" : "disabled"}</td>
            <td>${t.urls.length ? t.urls.map((u) => html`<a href=${u} target="_blank" rel="noopener noreferrer">${u}</a> `) : html`<span class="muted">${t.type === "timer" ? t.desc : "—"}</span>`}</td>
            <td class="actions">
              <button type="button" onClick=${() => act(() => backend.setTriggerEnabled(namespace, name, t, !t.enabled), () => `${t.name} ${t.enabled ? "disabled" : "enabled"}.`)}>${t.enabled ? "Disable" : "Enable"}</button>
              ${t.type === "timer" ? html`<button type="button" class="primary" onClick=${() => act(() => backend.fireTimer(namespace, name, t), (id) => `Fired ${t.name}: request ${id}.`)}>Fire now</button>` : null}
            </td></tr>`)}</tbody>
        </table></div>`);
    }}<//>`;
}

function group(list) {
  const map = new Map();
  for (const t of list) map.set(t.qualifier, [...(map.get(t.qualifier) ?? []), t]);
  return map;
}
