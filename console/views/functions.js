import { useState } from "preact/hooks";
import { html, link, Loading, useLoad } from "../ui.js";

/** Functions by namespace: status, runtime, last modified, and a search box. */
export function FunctionList({ backend, namespace }) {
  const namespaces = useLoad(() => backend.namespaces(), [backend]);
  const [search, setSearch] = useState("");
  const chosen = namespace ?? namespaces.data?.[0] ?? "default";
  const functions = useLoad(() => backend.functions(chosen, search), [backend, chosen, search]);

  return html`
    <h1>Functions</h1>
    <div class="row toolbar">
      <label>Namespace
        <select value=${chosen} onChange=${(e) => (location.hash = link("ns", e.currentTarget.value))}>
          ${(namespaces.data ?? [chosen]).map((n) => html`<option value=${n}>${n}</option>`)}
        </select>
      </label>
      <label>Search <input type="search" value=${search} placeholder="name contains…" onInput=${(e) => setSearch(e.currentTarget.value)} /></label>
    </div>
    <${Loading} state=${functions}>${(list) =>
      list.length === 0
        ? html`<p class="muted">No functions in ${chosen}${search ? ` matching "${search}"` : ""}.</p>`
        : html`<div class="scroll"><table class="list" aria-label="Functions">
            <thead><tr><th>Name</th><th>Status</th><th>Runtime</th><th>Last modified</th><th>Description</th></tr></thead>
            <tbody>${list.map((f) => html`<tr>
              <td><a href=${link("fn", f.namespace, f.name)}>${f.name}</a></td>
              <td><span class=${`status ${String(f.status).toLowerCase()}`}>${f.status}</span></td>
              <td>${f.runtime}</td><td>${f.modified}</td><td>${f.description}</td>
            </tr>`)}</tbody>
          </table></div>`}
    <//>`;
}
