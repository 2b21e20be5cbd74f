import { useState } from "preact/hooks";
import { filesOf } from "../code.js";
import { ErrorNote, Fields, formatBytes, html, Loading, useLoad } from "../ui.js";

/** $LATEST: its configuration and its code files. */
export function Overview({ backend, namespace, name }) {
  const config = useLoad(() => backend.config(namespace, name, "$LATEST"), [namespace, name]);
  return html`
    <h2>Configuration of $LATEST</h2>
    <${Loading} state=${config}>${(c) => html`<p>Status <span class=${`status ${String(c.status).toLowerCase()}`}>${c.status}</span> · modified ${c.modified}</p><${Fields} fields=${c.fields} />`}<//>
    <h2>Concurrency</h2>
    <${Capacity} backend=${backend} namespace=${namespace} name=${name} />
    <h2>Code of $LATEST</h2>
    <${CodeFiles} backend=${backend} namespace=${namespace} name=${name} qualifier="$LATEST" />`;
}

export function CodeFiles({ backend, namespace, name, qualifier }) {
  const code = useLoad(async () => filesOf(await backend.code(namespace, name, qualifier)), [namespace, name, qualifier]);
  const [open, setOpen] = useState(null);
  if (code.error) return html`<${ErrorNote} error=${code.error} />`;
  return html`<${Loading} state=${code}>${(files) => {
    const shown = open ?? [...files.keys()][0];
    const file = files.get(shown);
    return html`<div class="code">
      <ul class="files" aria-label="Code files">
        ${[...files].map(([path, f]) => html`<li><button type="button" class=${path === shown ? "selected" : ""} aria-pressed=${path === shown} onClick=${() => setOpen(path)}>${path} <span class="muted">${formatBytes(f.size)}</span></button></li>`)}
      </ul>
      <pre class="source" tabindex="0" aria-label=${`Contents of ${shown}`}>${file ? (file.text ?? `(binary, ${formatBytes(file.size)})`) : ""}</pre>
    </div>`;
  }}<//>`;
}

/** Instances kept ready per version or alias (provisioned / reserved instances), and the concurrency cap. */
function Capacity({ backend, namespace, name }) {
  const capacity = useLoad(() => backend.capacity(namespace, name), [namespace, name]);
  return html`<${Loading} state=${capacity}>${(c) => html`
    <p>Reserved concurrency: ${c.reserved}.</p>
    ${c.provisioned.length === 0
      ? html`<p class="muted">No instances are provisioned for any version or alias.</p>`
      : html`<div class="scroll"><table class="list" aria-label="Provisioned concurrency">
          <thead><tr><th>Qualifier</th><th>Provisioned</th><th>Running</th><th>Status</th></tr></thead>
          <tbody>${c.provisioned.map((p) => html`<tr><td>${p.qualifier}</td><td>${p.asked}</td><td>${p.running}</td><td>${p.status}${p.reason ? ` — ${p.reason}` : ""}</td></tr>`)}</tbody>
        </table></div>`}`}<//>`;
}
