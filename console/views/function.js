import { ErrorNote, html, link, useLoad } from "../ui.js";
import { Overview } from "./overview.js";
import { Versions } from "./versions.js";
import { Compare } from "./compare.js";
import { Aliases } from "./aliases.js";
import { Invoke } from "./invoke.js";
import { Logs } from "./logs.js";
import { Triggers } from "./triggers.js";
import { Metrics } from "./metrics.js";

const TABS = [
  ["overview", "Overview", Overview],
  ["versions", "Versions", Versions],
  ["compare", "Compare", Compare],
  ["aliases", "Aliases", Aliases],
  ["invoke", "Invoke", Invoke],
  ["logs", "Logs", Logs],
  ["triggers", "Triggers", Triggers],
  ["metrics", "Metrics", Metrics],
];

/** One function: a tab per task, each its own address (`#/fn/<ns>/<name>/<tab>`). */
export function FunctionPage({ backend, namespace, name, tab }) {
  const current = TABS.find(([id]) => id === tab) ?? TABS[0];
  const View = current[2];
  // Looked up once first: a function that is not there (or not this account's) shows the API's
  // refusal, and no tab asks the other endpoints about it.
  const found = useLoad(() => backend.config(namespace, name, "$LATEST"), [namespace, name]);
  const crumbs = html`<nav class="crumbs" aria-label="Breadcrumb"><a href=${link("ns", namespace)}>${namespace}</a> / <strong>${name}</strong></nav>`;
  if (found.error) return html`${crumbs}<h1>${name}</h1><${ErrorNote} error=${found.error} />`;
  if (found.data === undefined) return html`${crumbs}<p class="muted" aria-busy="true">Loading…</p>`;
  return html`
    ${crumbs}
    <h1>${name}</h1>
    <nav class="tabs" aria-label="Function pages">
      ${TABS.map(([id, label]) => html`<a href=${link("fn", namespace, name, id)} aria-current=${id === current[0] ? "page" : undefined}>${label}</a>`)}
    </nav>
    <section aria-label=${current[1]}>
      <${View} key=${current[0]} backend=${backend} namespace=${namespace} name=${name} />
    </section>`;
}
