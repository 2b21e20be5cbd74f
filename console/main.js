// The Quiver console: sign in, then every page through the public APIs, signed in this tab.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { html } from "./ui.js";
import { rememberedKeys, session, signIn, signOut } from "./session.js";
import { backendFor } from "./backend.js";
import { SignIn } from "./views/signin.js";
import { FunctionList } from "./views/functions.js";
import { FunctionPage } from "./views/function.js";

/** `#/fn/<ns>/<name>/<tab>` → ["fn", ns, name, tab]. */
function route() {
  return location.hash.replace(/^#\/?/, "").split("?")[0].split("/").filter(Boolean).map(decodeURIComponent);
}

function App() {
  const [backend, setBackend] = useState(null);
  const [path, setPath] = useState(route());
  const [restoring, setRestoring] = useState(rememberedKeys() !== null);
  useEffect(() => {
    const onHash = () => setPath(route());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    const keys = rememberedKeys();
    if (!keys) return;
    start(keys, true).catch(() => signOut()).finally(() => setRestoring(false));
  }, []);

  async function start(keys, remember) {
    await signIn(keys, remember);
    try {
      setBackend(await backendFor(session()));
    } catch (error) {
      // Refused keys are forgotten at once, remembered or not.
      signOut();
      throw error;
    }
  }
  function leave() {
    signOut();
    setBackend(null);
    location.hash = "#/";
  }

  if (restoring) return html`<main class="page"><p class="muted">Signing in…</p></main>`;
  if (!backend) return html`<${SignIn} onSignIn=${start} />`;
  const s = session();
  const [page, ns, name, tab] = path;
  return html`
    <header class="top">
      <a href="#/" class="brand">Quiver</a>
      <span class="who" title="Signed in">${s.kind === "tencent" ? "SecretId" : "AK"} <code>${s.keyId.slice(0, 12)}…</code> · ${s.region}</span>
      <button type="button" onClick=${leave}>Sign out</button>
    </header>
    <main class="page" id="main">
      ${page === "fn" && ns && name ? html`<${FunctionPage} key=${`${ns}/${name}`} backend=${backend} namespace=${ns} name=${name} tab=${tab ?? "overview"} />` : html`<${FunctionList} backend=${backend} namespace=${page === "ns" ? ns : undefined} />`}
    </main>
  `;
}

render(html`<${App} />`, document.getElementById("app"));
