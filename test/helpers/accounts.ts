import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The one account fixture: both test accounts hold Tencent and Huawei keys, so every dialect and isolation between accounts can be tested against any server. */
export interface TestAccount {
  readonly name: string;
  readonly appId: string;
  readonly uin: string;
  readonly tencent: { readonly secretId: string; readonly secretKey: string };
  readonly huawei: {
    readonly projectId: string;
    readonly domainId: string;
    readonly region: string;
    readonly accessKey: string;
    readonly secretKey: string;
    readonly authToken?: string;
  };
}

export const ALICE = {
  name: "alice",
  appId: "1250000001",
  uin: "100000000001",
  tencent: { secretId: "AKIDalice0000000000000000000000000", secretKey: "alice-secret-key-0000000000000000" },
  huawei: {
    projectId: "0123456789abcdef0123456789abcdef",
    domainId: "domain0000000000000000000000alice",
    region: "cn-north-4",
    accessKey: "ALICEAK0000000000000",
    secretKey: "alice-huawei-secret-key-0000000000000000",
    authToken: "alice-static-token-0123456789",
  },
} as const satisfies TestAccount;

export const BOB = {
  name: "bob",
  appId: "1250000002",
  uin: "100000000002",
  tencent: { secretId: "AKIDbob00000000000000000000000000", secretKey: "bob-secret-key-00000000000000000000" },
  huawei: {
    projectId: "fedcba9876543210fedcba9876543210",
    domainId: "domain00000000000000000000000bob",
    region: "cn-north-4",
    accessKey: "BOBAK000000000000000",
    secretKey: "bob-huawei-secret-key-000000000000000000",
  },
} as const satisfies TestAccount;

export const ACCOUNTS: readonly TestAccount[] = [ALICE, BOB];

/** A fresh temporary directory; `remove()` deletes it with everything inside. */
export function tempDir(prefix = "quiver-test-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes an accounts file listing the given accounts (the data dir itself is 0700, so it goes beside it) and returns its path. */
export function writeAccountsFile(dir: string, accounts: readonly TestAccount[] = ACCOUNTS): string {
  const path = join(dir, "accounts.json");
  writeFileSync(path, JSON.stringify(accounts, null, 2));
  return path;
}
