import { useState } from "preact/hooks";
import { filesOf } from "../code.js";
import { ErrorNote, Fields, formatBytes, html, Loading, useLoad } from "../ui.js";

/** $LATEST: its configuration and its code files. */
export function Overview({ backend, namespace, name }) {
  const config = useLoad(() => backend.config(namespace, name, "$LATEST"), [namespace, name]);
  return html`
    <h2>Configuration of $LATEST</h2>
    <${Loading} state=${config}>${(c) => html`<p>Status <span class=${`status ${String(c.status).toLowerCase()}`}>${c.status}</span> · modified ${c.modified}</p><${Fields} fields=${c.fields} />`}<//>
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
