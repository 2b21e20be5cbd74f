import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temporary directory; `remove()` deletes it with everything inside. */
export function tempDir(prefix = "quiver-test-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestAccount {
  readonly name: string;
  readonly appId: string;
  readonly uin: string;
  readonly tencent: { readonly secretId: string; readonly secretKey: string };
}

/** Two accounts with Tencent keys, so isolation between accounts can be tested. */
export const ALICE: TestAccount = {
  name: "alice",
  appId: "1250000001",
  uin: "100000000001",
  tencent: { secretId: "AKIDalice0000000000000000000000000", secretKey: "alice-secret-key-0000000000000000" },
};
export const BOB: TestAccount = {
  name: "bob",
  appId: "1250000002",
  uin: "100000000002",
  tencent: { secretId: "AKIDbob00000000000000000000000000", secretKey: "bob-secret-key-00000000000000000000" },
};

/** Writes an accounts file listing the given accounts and returns its path. */
export function writeAccountsFile(dir: string, accounts: readonly TestAccount[] = [ALICE, BOB]): string {
  const path = join(dir, "accounts.json");
  writeFileSync(path, JSON.stringify(accounts, null, 2));
  return path;
}
