// Small shared pieces of the console's views: htm bound to Preact, and the widgets every page
// uses (tables, errors, confirmations, a loader hook).
import { h } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";

export const html = htm.bind(h);

/** Runs `load` when `deps` change; { data, error, loading, reload }. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const run = useCallback(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => (live = false);
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

export function ErrorNote({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert"><strong>${error.code ?? "Error"}</strong> ${error.message}</p>`;
}

export function Loading({ state, children }) {
  if (state.error) return html`<${ErrorNote} error=${state.error} />`;
  if (state.loading && state.data === undefined) return html`<p class="muted" aria-busy="true">Loading…</p>`;
  return children(state.data);
}

/**
 * A confirmation in a modal <dialog> (focus stays inside, Escape cancels). `ask(text)` resolves
 * to true when confirmed.
 */
export function useConfirm() {
  const ref = useRef(null);
  const [text, setText] = useState("");
  const pending = useRef(null);
  const ask = (message) =>
    new Promise((resolve) => {
      pending.current = resolve;
      setText(message);
      ref.current?.showModal();
    });
  const close = (answer) => {
    ref.current?.close();
    pending.current?.(answer);
    pending.current = null;
  };
  const dialog = html`<dialog ref=${ref} class="confirm" onCancel=${() => close(false)} aria-label="Confirm">
    <p>${text}</p>
    <div class="row end">
      <button type="button" onClick=${() => close(false)}>Cancel</button>
      <button type="button" class="primary" onClick=${() => close(true)}>Confirm</button>
    </div>
  </dialog>`;
  return [ask, dialog];
}

export function Fields({ fields, highlight = new Set() }) {
  return html`<dl class="fields">
    ${Object.entries(fields).map(
      ([key, value]) => html`<div class=${highlight.has(key) ? "changed" : ""}><dt>${key}</dt><dd><pre>${value || "—"}</pre></dd></div>`,
    )}
  </dl>`;
}

export const link = (...parts) => `#/${parts.map(encodeURIComponent).join("/")}`;

export function formatBytes(n) {
  if (!Number.isFinite(n)) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
