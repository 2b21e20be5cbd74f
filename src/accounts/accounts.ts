import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, renameSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { constantTimeEqual } from "../core/constant-time.js";

const TencentKeys = z.strictObject({
  secretId: z.string().min(1),
  secretKey: z.string().min(1),
});

const HuaweiKeys = z.strictObject({
  projectId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "project ids are 1-64 letters, digits, '_' or '-'"),
  domainId: z.string().min(1),
  region: z.string().min(1),
  accessKey: z.string().min(1),
  secretKey: z.string().min(1),
  /** A static token accepted in `X-Auth-Token`, for clients that use token authentication. */
  authToken: z.string().min(16).optional(),
});

export const AccountSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "account names are 1-64 letters, digits, '_', '.' or '-'"),
  appId: z.string().regex(/^\d{1,20}$/, "appId is a decimal number as a string"),
  uin: z.string().regex(/^\d{1,20}$/, "uin is a decimal number as a string"),
  tencent: TencentKeys.optional(),
  huawei: HuaweiKeys.optional(),
});

export type Account = z.infer<typeof AccountSchema>;

const AccountsFile = z.array(AccountSchema).min(1, "the accounts file must list at least one account");

/** Raised when an accounts file is unusable; the CLI prints the message and refuses to start. */
export class AccountsFileError extends Error {
  override readonly name = "AccountsFileError";
}

/** Looks accounts up by the credential each dialect presents. */
export class AccountRegistry {
  readonly accounts: readonly Account[];
  readonly #byTencentId = new Map<string, Account>();
  readonly #byHuaweiAk = new Map<string, Account>();
  readonly #byProject = new Map<string, Account>();
  readonly #byToken = new Map<string, Account>();
  readonly #byAppId = new Map<string, Account>();

  constructor(accounts: readonly Account[]) {
    this.accounts = accounts;
    const names = new Set<string>();
    for (const account of accounts) {
      unique(names, account.name, `account name "${account.name}" appears twice`);
      addUnique(this.#byAppId, account.appId, account, "appId");
      if (account.tencent) addUnique(this.#byTencentId, account.tencent.secretId, account, "tencent.secretId");
      if (account.huawei) {
        addUnique(this.#byHuaweiAk, account.huawei.accessKey, account, "huawei.accessKey");
        addUnique(this.#byProject, account.huawei.projectId, account, "huawei.projectId");
        if (account.huawei.authToken) addUnique(this.#byToken, account.huawei.authToken, account, "huawei.authToken");
      }
    }
  }

  byTencentSecretId(secretId: string): Account | undefined {
    return this.#byTencentId.get(secretId);
  }

  byHuaweiAccessKey(accessKey: string): Account | undefined {
    return this.#byHuaweiAk.get(accessKey);
  }

  /** The account an SCF trigger URL names (`/scf/{appId}/…`). */
  byAppId(appId: string): Account | undefined {
    return this.#byAppId.get(appId);
  }

  byHuaweiProject(projectId: string): Account | undefined {
    return this.#byProject.get(projectId);
  }

  /**
   * The token is a secret presented as it is (not a signature over the request), so it is
   * compared in constant time with every configured token rather than looked up by value.
   */
  byHuaweiToken(token: string): Account | undefined {
    let found: Account | undefined;
    for (const [known, account] of this.#byToken) if (constantTimeEqual(known, token)) found = account;
    return found;
  }
}

function unique(seen: Set<string>, value: string, message: string): void {
  if (seen.has(value)) throw new AccountsFileError(message);
  seen.add(value);
}

function addUnique(map: Map<string, Account>, key: string, account: Account, field: string): void {
  if (map.has(key)) throw new AccountsFileError(`${field} "${key}" is used by two accounts`);
  map.set(key, account);
}

/** Parses and validates an accounts file; every problem becomes one readable message. */
export function loadAccountsFile(path: string): AccountRegistry {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new AccountsFileError(`cannot read accounts file ${path}: ${(error as Error).message}`);
  }
  const parsed = AccountsFile.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join(".") || "(file)"}: ${issue.message}`);
    throw new AccountsFileError(`invalid accounts file ${path}:\n${problems.join("\n")}`);
  }
  return new AccountRegistry(parsed.data);
}

/**
 * The account a fresh data directory gets when no accounts file is given: random keys, kept in
 * `<dataDir>/accounts.json` so they stay the same across restarts. Returns whether it was new.
 */
export function loadOrCreateDefaultAccounts(dataDir: string, region: string): { registry: AccountRegistry; created: boolean } {
  const path = join(dataDir, "accounts.json");
  if (existsSync(path)) return { registry: loadAccountsFile(path), created: false };
  const account: Account = {
    name: "default",
    appId: String(1_000_000_000 + randomInt(999_999_999)),
    uin: String(100_000_000_000 + randomInt(99_999_999_999)),
    tencent: { secretId: `AKID${token(32)}`, secretKey: token(32) },
    huawei: {
      projectId: token(32).toLowerCase(),
      domainId: token(32).toLowerCase(),
      region,
      accessKey: token(20).toUpperCase(),
      secretKey: token(40),
    },
  };
  mkdirSync(dataDir, { recursive: true });
  const temp = `${path}.tmp`;
  writeFileSync(temp, `${JSON.stringify([account], null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
  return { registry: new AccountRegistry([account]), created: true };
}

function token(length: number): string {
  return randomBytes(length).toString("base64url").replace(/[-_]/g, "x").slice(0, length);
}

function randomInt(max: number): number {
  return randomBytes(6).readUIntBE(0, 6) % max;
}
