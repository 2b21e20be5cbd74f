/**
 * The credential chain of the client commands, first match wins:
 *   1. flags (`--secret-id/--secret-key`; `--ak/--sk/--project-id`);
 *   2. the vendors' environment variables (`TENCENTCLOUD_SECRET_ID`/`TENCENTCLOUD_SECRET_KEY`;
 *      `HUAWEICLOUD_SDK_AK`/`HUAWEICLOUD_SDK_SK`/`HUAWEICLOUD_SDK_PROJECT_ID`);
 *   3. Tencent only: tccli's credential file (`~/.tccli/<profile>.credential`, profile `default`
 *      or `--profile`);
 *   4. when the endpoint is on this host: the default account `quiver serve` wrote in its data
 *      directory (`<data-dir>/accounts.json`, `--data-dir`, default `./.quiver`).
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CliError, EXIT } from "./failure.js";

export interface CredentialFlags {
  readonly secretId?: string | undefined;
  readonly secretKey?: string | undefined;
  readonly ak?: string | undefined;
  readonly sk?: string | undefined;
  readonly projectId?: string | undefined;
  readonly profile?: string | undefined;
  readonly dataDir?: string | undefined;
}

export interface TencentKeys {
  readonly secretId: string;
  readonly secretKey: string;
  /** Where they came from, for messages. */
  readonly source: string;
}

export interface HuaweiKeys {
  readonly ak: string;
  readonly sk: string;
  readonly projectId: string;
  /** The region the account names (Quiver's default account), when known. */
  readonly region?: string | undefined;
  readonly source: string;
}

/** Whether the endpoint is this host: only then is Quiver's data directory a credential source. */
export function isLocalEndpoint(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return false;
  try {
    const host = new URL(endpoint.includes("://") ? endpoint : `http://${endpoint}`).hostname;
    return host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

export function tencentKeys(flags: CredentialFlags, endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): TencentKeys {
  if (flags.secretId !== undefined || flags.secretKey !== undefined) {
    if (!flags.secretId || !flags.secretKey) throw new CliError("give both --secret-id and --secret-key", EXIT.usage);
    return { secretId: flags.secretId, secretKey: flags.secretKey, source: "flags" };
  }
  const id = env["TENCENTCLOUD_SECRET_ID"];
  const key = env["TENCENTCLOUD_SECRET_KEY"];
  if (id && key) return { secretId: id, secretKey: key, source: "TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY" };
  const tccli = tccliKeys(flags.profile ?? "default", env);
  if (tccli) return tccli;
  const local = isLocalEndpoint(endpoint) ? localAccount(flags.dataDir) : undefined;
  if (local?.tencent) return { ...local.tencent, source: local.path };
  throw missing("Tencent SCF", ["--secret-id and --secret-key", "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY", `tccli's ~/.tccli/${flags.profile ?? "default"}.credential`], endpoint, flags.dataDir);
}

export function huaweiKeys(flags: CredentialFlags, endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): HuaweiKeys {
  if (flags.ak !== undefined || flags.sk !== undefined || flags.projectId !== undefined) {
    if (!flags.ak || !flags.sk || !flags.projectId) throw new CliError("give --ak, --sk and --project-id together", EXIT.usage);
    return { ak: flags.ak, sk: flags.sk, projectId: flags.projectId, source: "flags" };
  }
  const ak = env["HUAWEICLOUD_SDK_AK"];
  const sk = env["HUAWEICLOUD_SDK_SK"];
  const project = env["HUAWEICLOUD_SDK_PROJECT_ID"];
  if (ak && sk && project) return { ak, sk, projectId: project, source: "HUAWEICLOUD_SDK_AK/SK/PROJECT_ID" };
  const local = isLocalEndpoint(endpoint) ? localAccount(flags.dataDir) : undefined;
  if (local?.huawei) return { ...local.huawei, source: local.path };
  throw missing("Huawei FunctionGraph", ["--ak, --sk and --project-id", "HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_PROJECT_ID"], endpoint, flags.dataDir);
}

function missing(vendor: string, tried: string[], endpoint: string | undefined, dataDir: string | undefined): CliError {
  const local = isLocalEndpoint(endpoint)
    ? [`the default account in ${accountsPath(dataDir)} (none there; pass --data-dir if quiver serve uses another)`]
    : ["(the data directory of quiver serve is read only for an --endpoint on this host)"];
  return new CliError(`no ${vendor} credentials: tried ${[...tried, ...local].join("; ")}`, EXIT.credentials, {
    hint: endpoint === undefined ? "to use a local Quiver, pass --endpoint http://127.0.0.1:9000" : "quiver serve prints the default account's keys when it creates them",
  });
}

function tccliKeys(profile: string, env: NodeJS.ProcessEnv): TencentKeys | undefined {
  const path = join(env["HOME"] ?? homedir(), ".tccli", `${profile}.credential`);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { secretId?: unknown; secretKey?: unknown };
    if (typeof parsed.secretId === "string" && typeof parsed.secretKey === "string" && parsed.secretId && parsed.secretKey) {
      return { secretId: parsed.secretId, secretKey: parsed.secretKey, source: path };
    }
  } catch (error) {
    throw new CliError(`cannot read tccli's credential file ${path}: ${(error as Error).message}`, EXIT.credentials);
  }
  return undefined;
}

function accountsPath(dataDir: string | undefined): string {
  return join(dataDir ?? ".quiver", "accounts.json");
}

interface LocalAccount {
  readonly path: string;
  readonly tencent?: { secretId: string; secretKey: string };
  readonly huawei?: { ak: string; sk: string; projectId: string; region: string };
}

/** The first account of `quiver serve`'s accounts file in the data directory, if it is there. */
function localAccount(dataDir: string | undefined): LocalAccount | undefined {
  const path = accountsPath(dataDir);
  if (!existsSync(path)) return undefined;
  let accounts: unknown;
  try {
    accounts = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, EXIT.credentials);
  }
  const first = Array.isArray(accounts) ? (accounts[0] as { tencent?: { secretId: string; secretKey: string }; huawei?: { accessKey: string; secretKey: string; projectId: string; region: string } } | undefined) : undefined;
  if (!first) return undefined;
  return {
    path,
    ...(first.tencent ? { tencent: { secretId: first.tencent.secretId, secretKey: first.tencent.secretKey } } : {}),
    ...(first.huawei ? { huawei: { ak: first.huawei.accessKey, sk: first.huawei.secretKey, projectId: first.huawei.projectId, region: first.huawei.region } } : {}),
  };
}
