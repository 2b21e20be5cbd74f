import { useState } from "preact/hooks";
import { ErrorNote, html, link, Loading, useConfirm, useLoad } from "../ui.js";

/** Versions in a table; publish with a description; delete (the server refuses while an alias routes to it). */
export function Versions({ backend, namespace, name }) {
  const versions = useLoad(() => backend.versions(namespace, name), [namespace, name]);
  const [ask, dialog] = useConfirm();
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState("");
  const [busy, setBusy] = useState(false);

  async function publish(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const description = String(new FormData(form).get("description") ?? "");
    setBusy(true);
    setError(null);
    try {
      const version = await backend.publish(namespace, name, description);
      setNotice(`Published version ${version}.`);
      form.reset();
      versions.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function remove(version) {
    if (!(await ask(`Delete version ${version} of ${name}? This cannot be undone.`))) return;
    setError(null);
    try {
      await backend.deleteVersion(namespace, name, version);
      setNotice(`Deleted version ${version}.`);
      versions.reload();
    } catch (e) {
      setNotice("");
      setError({ code: e.code, message: `Version ${version} was not deleted: ${e.message}` });
    }
  }

  return html`
    <form class="row card" onSubmit=${publish} aria-label="Publish a version">
      <label class="grow">Description of the new version <input name="description" maxlength="1000" /></label>
      <button type="submit" class="primary" disabled=${busy}>Publish $LATEST</button>
    </form>
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <${ErrorNote} error=${error} />
    <${Loading} state=${versions}>${(list) => html`<div class="scroll"><table class="list" aria-label="Versions">
      <thead><tr><th>Version</th><th>Description</th><th>Published</th><th>Status</th><th><span class="sr">Actions</span></th></tr></thead>
      <tbody>${list.map((v) => html`<tr>
        <td>${v.version}</td><td>${v.description}</td><td>${v.modified}</td><td>${v.status}</td>
        <td class="actions">${v.version === "$LATEST" ? null : html`
          <a href=${`${link("fn", namespace, name, "compare")}?a=${encodeURIComponent(v.version)}`}>Compare</a>
          <button type="button" class="danger" onClick=${() => remove(v.version)} aria-label=${`Delete version ${v.version}`}>Delete</button>`}</td>
      </tr>`)}</tbody></table></div>`}<//>
    ${dialog}`;
}
