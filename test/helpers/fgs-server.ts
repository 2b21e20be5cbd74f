import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, type ConfigInput } from "../../src/config/config.js";
import { createQuiver, type Quiver } from "../../src/server/app.js";

/** The SDKs would route 127.0.0.1 through a proxy if one were set; tests talk to localhost only. */
delete process.env["http_proxy"];
delete process.env["https_proxy"];
delete process.env["HTTP_PROXY"];
delete process.env["HTTPS_PROXY"];

export const FGS_ACCOUNT = {
  name: "alice",
  appId: "1250000000",
  uin: "100000000001",
  tencent: { secretId: "AKIDalice0000000000000000000000000", secretKey: "alice-tencent-secret-key-000000" },
  huawei: {
    projectId: "0123456789abcdef0123456789abcdef",
    domainId: "domain0000000000000000000000alice",
    region: "cn-north-4",
    accessKey: "ALICEAK0000000000000",
    secretKey: "alice-huawei-secret-key-0000000000000000",
    authToken: "alice-static-token-0123456789",
  },
} as const;

export const FGS_OTHER_ACCOUNT = {
  name: "bob",
  appId: "1250000001",
  uin: "100000000002",
  huawei: {
    projectId: "fedcba9876543210fedcba9876543210",
    domainId: "domain00000000000000000000000bob",
    region: "cn-north-4",
    accessKey: "BOBAK000000000000000",
    secretKey: "bob-huawei-secret-key-000000000000000000",
  },
} as const;

export interface FgsTestServer {
  readonly quiver: Quiver;
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** Starts a real Quiver on a free port with a temp data dir and the two test accounts. */
export async function startFgsServer(overrides: Partial<ConfigInput> = {}): Promise<FgsTestServer> {
  const dir = mkdtempSync(join(tmpdir(), "quiver-fgs-"));
  const accountsFile = join(dir, "accounts.json");
  writeFileSync(accountsFile, JSON.stringify([FGS_ACCOUNT, FGS_OTHER_ACCOUNT]));
  const quiver = await createQuiver(parseConfig({ port: 0, dataDir: join(dir, "data"), accountsFile, logLevel: "silent", ...overrides }));
  const url = await quiver.listen();
  const port = Number(new URL(url).port);
  return {
    quiver,
    url,
    port,
    dataDir: dir,
    async close() {
      await quiver.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
