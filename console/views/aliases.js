import { useState } from "preact/hooks";
import { ErrorNote, html, Loading, useConfirm, useLoad } from "../ui.js";

/** Aliases: the traffic split as a bar, a control to move it, promote and roll back, rule routes. */
export function Aliases({ backend, namespace, name }) {
  const aliases = useLoad(() => backend.aliases(namespace, name), [namespace, name]);
  const versions = useLoad(() => backend.versions(namespace, name), [namespace, name]);
  return html`<${Loading} state=${aliases}>${(list) =>
    list.length === 0
      ? html`<p class="muted">No aliases.</p>`
      : list.map((a) => html`<${AliasCard} key=${a.name} alias=${a} versions=${(versions.data ?? []).map((v) => v.version)} save=${async (target) => {
          await backend.updateAlias(namespace, name, a.name, target);
          aliases.reload();
        }} />`)}<//>`;
}

function AliasCard({ alias, versions, save }) {
  const published = versions.filter((v) => v !== "$LATEST");
  const [other, setOther] = useState(alias.additional?.version ?? published.find((v) => v !== alias.main) ?? "");
  const [percent, setPercent] = useState(Math.round((alias.additional?.weight ?? 0) * 100));
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState("");
  const [ask, dialog] = useConfirm();

  async function run(target, message) {
    setError(null);
    try {
      await save(target);
      setNotice(message);
    } catch (e) {
      setNotice("");
      setError(e);
    }
  }
  const shift = (event) => {
    event.preventDefault();
    return run({ main: alias.main, additional: percent > 0 && other ? { version: other, weight: percent / 100 } : null }, `Saved: ${100 - percent} % to ${alias.main}${percent > 0 ? `, ${percent} % to ${other}` : ""}.`);
  };
  async function promote() {
    if (!alias.additional) return;
    if (await ask(`Promote version ${alias.additional.version}: ${alias.name} sends all traffic to it?`)) {
      await run({ main: alias.additional.version, additional: null }, `Promoted ${alias.additional.version}.`);
    }
  }
  async function rollBack() {
    if (!alias.additional) return;
    if (await ask(`Roll back ${alias.name}: all traffic to version ${alias.main}, none to ${alias.additional.version}?`)) {
      await run({ main: alias.main, additional: null }, `Rolled back to ${alias.main}.`);
    }
  }

  const weight = alias.additional ? Math.round(alias.additional.weight * 100) : 0;
  return html`<article class="card alias" aria-label=${`Alias ${alias.name}`}>
    <h2>${alias.name} <span class="muted">${alias.description}</span></h2>
    <div class="bar" role="img" aria-label=${`Traffic: ${100 - weight} % to version ${alias.main}${weight ? `, ${weight} % to version ${alias.additional.version}` : ""}`}>
      <span class="main" style=${{ flexGrow: 100 - weight }}>${alias.main} · ${100 - weight} %</span>
      ${weight > 0 ? html`<span class="extra" style=${{ flexGrow: weight }}>${alias.additional.version} · ${weight} %</span>` : null}
    </div>
    ${alias.rules.length > 0 ? html`<h3>Rule routes</h3><ul class="rules">${alias.rules.map((r) => html`<li>${r.key} ${r.method} <code>${r.expression}</code> → version ${r.version}</li>`)}</ul>` : null}
    ${alias.rules.length > 0 ? null : html`<form class="row" onSubmit=${shift} aria-label=${`Traffic split of ${alias.name}`}>
      <label>Second version <select value=${other} onChange=${(e) => setOther(e.currentTarget.value)}>
        ${published.filter((v) => v !== alias.main).map((v) => html`<option value=${v}>${v}</option>`)}</select></label>
      <label class="grow">Share to it: <output>${percent} %</output>
        <input type="range" min="0" max="100" step="1" value=${percent} onInput=${(e) => setPercent(Number(e.currentTarget.value))} aria-label="Share of traffic to the second version (percent)" /></label>
      <button type="submit" class="primary">Save split</button>
    </form>`}
    <div class="row">
      <button type="button" disabled=${!alias.additional} onClick=${promote}>Promote ${alias.additional?.version ?? ""}</button>
      <button type="button" disabled=${!alias.additional} onClick=${rollBack}>Roll back to ${alias.main}</button>
    </div>
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <${ErrorNote} error=${error} />
    ${dialog}
  </article>`;
}
