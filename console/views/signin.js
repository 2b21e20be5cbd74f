import { useState } from "preact/hooks";
import { ErrorNote, html } from "../ui.js";

/** The sign-in form: Tencent SecretId/SecretKey (and region) or Huawei AK/SK. */
export function SignIn({ onSignIn }) {
  const [kind, setKind] = useState("tencent");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const defaultRegion = document.body.dataset.region || "ap-guangzhou";

  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const get = (name) => String(form.get(name) ?? "").trim();
    const keys = kind === "tencent"
      ? { kind, secretId: get("id"), secretKey: get("secret"), region: get("region") || defaultRegion }
      : { kind, accessKey: get("id"), secretKey: get("secret") };
    setBusy(true);
    setError(null);
    try {
      await onSignIn(keys, form.get("remember") === "on");
    } catch (e) {
      setError(e.code === "AuthFailure.SecretIdNotFound" || e.code === "AuthFailure.SignatureFailure" || e.code?.startsWith?.("APIGW") || /401|403/.test(e.code ?? "")
        ? { code: e.code, message: `These keys were refused: ${e.message}` }
        : e);
    } finally {
      setBusy(false);
    }
  }

  return html`<main class="page narrow" id="main">
    <h1>Quiver console</h1>
    <p class="muted">Sign in with an account's keys. The secret key stays in this tab: requests are signed here and it is never sent.</p>
    <form class="card" onSubmit=${submit} aria-label="Sign in">
      <fieldset class="row">
        <legend>Keys</legend>
        <label><input type="radio" name="kind" value="tencent" checked=${kind === "tencent"} onChange=${() => setKind("tencent")} /> Tencent SCF</label>
        <label><input type="radio" name="kind" value="huawei" checked=${kind === "huawei"} onChange=${() => setKind("huawei")} /> Huawei FunctionGraph</label>
      </fieldset>
      <label>${kind === "tencent" ? "SecretId" : "Access key (AK)"}
        <input name="id" required autocomplete="username" spellcheck="false" /></label>
      <label>${kind === "tencent" ? "SecretKey" : "Secret key (SK)"}
        <input name="secret" type="password" required autocomplete="current-password" /></label>
      ${kind === "tencent" ? html`<label>Region <input name="region" placeholder=${defaultRegion} spellcheck="false" /></label>` : null}
      <label class="check"><input type="checkbox" name="remember" /> Remember in this tab until it is closed (sessionStorage)</label>
      <${ErrorNote} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>${busy ? "Signing in…" : "Sign in"}</button>
    </form>
  </main>`;
}
