// The signed-in account: its keys live in this module's memory only. With "remember" ticked
// they are also kept in sessionStorage (this tab, until it is closed) so a reload does not sign
// out; never in localStorage. Signing out forgets both.
import { huaweiSigner, tc3Signer } from "./sign.js";

const STORAGE_KEY = "quiver-console-keys";
let current = null;

/** Keys as typed: { kind: "tencent", secretId, secretKey, region } or { kind: "huawei", accessKey, secretKey }. */
export async function signIn(keys, remember) {
  const signer = keys.kind === "tencent" ? tc3Signer(keys.secretId, keys.secretKey) : await huaweiSigner(keys.accessKey, keys.secretKey);
  current = { kind: keys.kind, keyId: keys.kind === "tencent" ? keys.secretId : keys.accessKey, region: keys.region, signer, projectId: null };
  if (remember) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(keys));
  else sessionStorage.removeItem(STORAGE_KEY);
  return current;
}

export function session() {
  return current;
}

/** The keys this tab remembered, if any (the caller signs in with them again). */
export function rememberedKeys() {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

export function signOut() {
  current = null;
  sessionStorage.removeItem(STORAGE_KEY);
}
