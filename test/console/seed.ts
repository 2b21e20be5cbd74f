/**
 * What the console tests (and its screenshots) look at: functions of ALICE in two namespaces,
 * two published versions that differ in configuration and code, an alias splitting traffic
 * between them, an HTTP trigger and a timer, and a few invocations of each version; BOB has a
 * function of his own, which ALICE's console must never show. Made through the official SDK,
 * as a user would.
 */
import type { TestQuiver } from "../helpers/quiver.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { createFunction, invoke, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { zipBase64 } from "../helpers/zip.js";

export const FUNCTION = "orders";
export const OTHER_NAMESPACE = "team";
export const BOB_FUNCTION = "bob-private-ledger";

const handler = (mark: string): string => `
const { total } = require("./lib/total.js");
exports.main_handler = async (event) => {
  console.log("orders ${mark} handling " + JSON.stringify(event));
  if (event.fail) throw new Error("failed on purpose");
  return { mark: "${mark}", total: total(event.items || []) };
};
`;

const V1_FILES = {
  "index.js": handler("v1"),
  "lib/total.js": "exports.total = (items) => items.reduce((a, b) => a + b, 0);\n",
  "lib/legacy.js": "exports.old = true;\n",
  "README.md": "# orders\n\nSums an order's items.\n",
};

const V2_FILES = {
  "index.js": handler("v2"),
  "lib/total.js": "exports.total = (items) => items.reduce((a, b) => a + b, 0);\n",
  "lib/tax.js": "exports.tax = (amount) => Math.round(amount * 0.07);\n",
  "README.md": "# orders\n\nSums an order's items, now with tax.\n",
};

export const LAYER = "tax-rates";

/** A layer version (version 2 of the function runs with it; version 1 without). */
async function publishLayer(client: ScfClient): Promise<{ LayerName: string; LayerVersion: number }> {
  const { LayerVersion } = await client.PublishLayerVersion({ LayerName: LAYER, CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: await zipBase64({ "rates.json": '{"default": 0.07}\n' }) } });
  return { LayerName: LAYER, LayerVersion: LayerVersion ?? 0 };
}

export interface Seeded {
  readonly alice: ScfClient;
  readonly bob: ScfClient;
}

export async function seed(server: TestQuiver): Promise<Seeded> {
  const alice = scfClient(server, ALICE);
  const bob = scfClient(server, BOB);
  await createFunction(alice, { name: FUNCTION, files: V1_FILES, env: { STAGE: "prod" } });
  await alice.PublishVersion({ FunctionName: FUNCTION, Description: "first release" });
  await alice.UpdateFunctionCode({ FunctionName: FUNCTION, Handler: "index.main_handler", ZipFile: await zipBase64(V2_FILES) });
  const layer = await publishLayer(alice);
  await alice.UpdateFunctionConfiguration({ FunctionName: FUNCTION, MemorySize: 256, Timeout: 5, Environment: { Variables: [{ Key: "STAGE", Value: "prod" }, { Key: "TAX", Value: "on" }] }, Layers: [layer] });
  await alice.PublishVersion({ FunctionName: FUNCTION, Description: "adds tax" });
  await alice.CreateAlias({ FunctionName: FUNCTION, Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [{ Version: "2", Weight: 0.2 }] }, Description: "production traffic" });
  await alice.CreateTrigger({ FunctionName: FUNCTION, TriggerName: "web", Type: "http", Qualifier: "$LATEST", TriggerDesc: JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: false, EnableExtranet: true } }) });
  await alice.CreateTrigger({ FunctionName: FUNCTION, TriggerName: "nightly", Type: "timer", Qualifier: "2", TriggerDesc: "0 0 3 * * * *" });
  // One instance of version 1 kept ready (the Overview shows what is due and what runs).
  await alice.PutProvisionedConcurrencyConfig({ FunctionName: FUNCTION, Qualifier: "1", VersionProvisionedConcurrencyNum: 1 });
  await createFunction(alice, { name: "billing", files: { "index.js": "exports.main_handler = async () => 'billed';\n" } });
  await alice.CreateNamespace({ Namespace: OTHER_NAMESPACE, Description: "the team's functions" });
  await alice.CreateFunction({ FunctionName: "reports", Namespace: OTHER_NAMESPACE, Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: await zipBase64({ "index.js": "exports.main_handler = async () => 'ok';\n" }) } });
  await createFunction(bob, { name: BOB_FUNCTION, files: { "index.js": "exports.main_handler = async () => 'bob';\n" } });
  for (let i = 0; i < 3; i++) {
    await invoke(alice, FUNCTION, { items: [i, 2] }, { Qualifier: "1" });
    await invoke(alice, FUNCTION, { items: [i, 3] }, { Qualifier: "2" });
  }
  await invoke(alice, FUNCTION, { fail: true }, { Qualifier: "2" });
  return { alice, bob };
}

/** The same function in ALICE's FunctionGraph region (her Huawei keys' scope), for the console signed in with Huawei keys. */
export async function seedHuawei(server: TestQuiver): Promise<ScfClient> {
  const alice = scfClient(server, ALICE, { region: ALICE.huawei.region });
  await createFunction(alice, { name: FUNCTION, files: V1_FILES, env: { STAGE: "prod" } });
  await alice.PublishVersion({ FunctionName: FUNCTION, Description: "first release" });
  await alice.UpdateFunctionCode({ FunctionName: FUNCTION, Handler: "index.main_handler", ZipFile: await zipBase64(V2_FILES) });
  await alice.UpdateFunctionConfiguration({ FunctionName: FUNCTION, MemorySize: 256, Layers: [await publishLayer(alice)] });
  await alice.PublishVersion({ FunctionName: FUNCTION, Description: "adds tax" });
  await alice.CreateAlias({ FunctionName: FUNCTION, Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [{ Version: "2", Weight: 0.3 }] } });
  await alice.CreateTrigger({ FunctionName: FUNCTION, TriggerName: "hourly", Type: "timer", Qualifier: "2", TriggerDesc: "0 0 * * * * *" });
  await invoke(alice, FUNCTION, { items: [1] }, { Qualifier: "2" });
  return alice;
}
