import { useMemo, useState } from "preact/hooks";
import { diffLines } from "diff";
import { compareFiles, filesOf } from "../code.js";
import { ErrorNote, html, Loading, useLoad } from "../ui.js";

function queryOf() {
  return new URLSearchParams(location.hash.split("?")[1] ?? "");
}

/** Any two versions side by side: configuration differences, code files added/removed/changed, a text diff. */
export function Compare({ backend, namespace, name }) {
  const versions = useLoad(() => backend.versions(namespace, name), [namespace, name]);
  const query = queryOf();
  const [left, setLeft] = useState(query.get("a") ?? "");
  const [right, setRight] = useState(query.get("b") ?? "");
  return html`<${Loading} state=${versions}>${(list) => {
    const names = list.map((v) => v.version);
    // By default the two newest published versions (the list is $LATEST, then newest first).
    const published = names.filter((v) => v !== "$LATEST");
    const a = left || published[1] || names[0];
    const b = right || (published[0] !== a ? published[0] : undefined) || names.find((v) => v !== a) || a;
    return html`
      <div class="row toolbar">
        <label>Left <select value=${a} onChange=${(e) => setLeft(e.currentTarget.value)}>${names.map((v) => html`<option value=${v}>${v}</option>`)}</select></label>
        <label>Right <select value=${b} onChange=${(e) => setRight(e.currentTarget.value)}>${names.map((v) => html`<option value=${v}>${v}</option>`)}</select></label>
      </div>
      <${Sides} key=${`${a}|${b}`} backend=${backend} namespace=${namespace} name=${name} a=${a} b=${b} />`;
  }}<//>`;
}

function Sides({ backend, namespace, name, a, b }) {
  const configs = useLoad(() => Promise.all([backend.config(namespace, name, a), backend.config(namespace, name, b)]), [a, b]);
  const code = useLoad(async () => {
    const [x, y] = await Promise.all([backend.code(namespace, name, a), backend.code(namespace, name, b)]);
    return [filesOf(x), filesOf(y)];
  }, [a, b]);
  return html`
    <h2>Configuration</h2>
    <${Loading} state=${configs}>${([x, y]) => html`<${ConfigTable} a=${a} b=${b} left=${x.fields} right=${y.fields} />`}<//>
    <h2>Code</h2>
    ${code.error ? html`<${ErrorNote} error=${code.error} />` : html`<${Loading} state=${code}>${([x, y]) => html`<${CodeDiff} left=${x} right=${y} />`}<//>`}`;
}

function ConfigTable({ a, b, left, right }) {
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
  const changed = keys.filter((k) => (left[k] ?? "") !== (right[k] ?? "")).length;
  return html`<p>${changed === 0 ? "The configurations are the same." : `${changed} setting${changed === 1 ? "" : "s"} differ.`}</p>
    <div class="scroll"><table class="list compare" aria-label="Configuration compared">
      <thead><tr><th>Setting</th><th>${a}</th><th>${b}</th></tr></thead>
      <tbody>${keys.map((k) => html`<tr class=${(left[k] ?? "") !== (right[k] ?? "") ? "changed" : ""}>
        <th scope="row">${k}</th><td><pre>${left[k] ?? ""}</pre></td><td><pre>${right[k] ?? ""}</pre></td></tr>`)}</tbody>
    </table></div>`;
}

function CodeDiff({ left, right }) {
  const files = useMemo(() => compareFiles(left, right), [left, right]);
  const first = files.find((f) => f.change !== "same")?.path ?? files[0]?.path;
  const [open, setOpen] = useState(first);
  const counts = ["added", "removed", "changed"].map((c) => `${files.filter((f) => f.change === c).length} ${c}`).join(", ");
  const a = left.get(open);
  const b = right.get(open);
  const parts = a?.text != null || b?.text != null ? diffLines(a?.text ?? "", b?.text ?? "") : null;
  return html`<p>Files: ${counts}.</p>
    <div class="code">
      <ul class="files" aria-label="Files compared">${files.map((f) => html`<li><button type="button" class=${`${f.change} ${f.path === open ? "selected" : ""}`} aria-pressed=${f.path === open} onClick=${() => setOpen(f.path)}>
        <span class="tag">${f.change}</span> ${f.path}</button></li>`)}</ul>
      <pre class="source diff" tabindex="0" aria-label=${`Differences in ${open}`}>${parts
        ? parts.map((p) => html`<span class=${p.added ? "add" : p.removed ? "del" : ""}>${prefixed(p)}</span>`)
        : "(binary file: only whether it changed is shown)"}</pre>
    </div>`;
}

function prefixed(part) {
  const mark = part.added ? "+ " : part.removed ? "- " : "  ";
  return part.value.replace(/\n$/, "").split("\n").map((line) => mark + line).join("\n") + "\n";
}
