/**
 * The reference deployment (three `quiver serve --store postgres --blob-store postgres
 * --redis-url …` nodes behind HAProxy) behaves as one platform, driven through both official
 * SDKs at the load balancer: publishes are gap-free, a 10 % alias splits exactly, the
 * documented publish rate holds for the account, and an alias change is honoured by the very
 * next call on every node.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { call, createFunction, errorCode, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { fg, fgClient, invoke as fgInvoke, urnOf, versionNames, wire } from "../helpers/fgs-sdk.js";
import { parseExposition } from "../helpers/prometheus.js";
import { buildZip, zipBase64 } from "../helpers/zip.js";
import { PG_OFF } from "../store/pg-schema.js";
import { startCluster, type Cluster } from "./cluster.js";

/** SCF in the region ALICE's FunctionGraph project is in: both SDKs see the same functions. */
const alice = (target: { readonly endpoint: string }): ScfClient => scfClient(target, ALICE, { region: ALICE.huawei.region });

const versionCode = (n: number): Record<string, string> => ({ "index.js": `exports.main_handler = async () => ${n};\n` });

/** A FunctionGraph v1 envelope's result: the number the handler returned. */
const fgNumber = (envelope: Record<string, unknown>): number => Number(JSON.parse(String(envelope["result"])));

/** A counter of each node (summed over the given labels), from each node's own metrics. */
async function perNode(cluster: Cluster, metric: string, labels: Record<string, string> = {}): Promise<number[]> {
  return Promise.all(cluster.nodes.map(async (node) => parseExposition(await (await fetch(`${node.url}/metrics`)).text()).sum(metric, labels)));
}

/** A function whose $LATEST and versions 1..n return their number (SCF) or {v: number} (FunctionGraph). */
async function functionWithVersions(scf: ScfClient, name: string, versions: number): Promise<void> {
  await createFunction(scf, { name, files: versionCode(1) });
  for (let n = 1; n <= versions; n += 1) {
    if (n > 1) await scf.UpdateFunctionCode({ FunctionName: name, Handler: "index.main_handler", ZipFile: await zipBase64(versionCode(n)) });
    await scf.PublishVersion({ FunctionName: name });
  }
}

describe("three nodes behind HAProxy", { skip: PG_OFF ? "QUIVER_TEST_PG=off" : false, timeout: 600_000 }, () => {
  let cluster: Cluster;
  let scf: ScfClient;

  before(async () => {
    cluster = await startCluster({ nodes: 3 });
    scf = alice(cluster);
  });
  after(async () => {
    await cluster?.stop();
  });

  it("concurrent publishes of one function through different nodes are numbered 1..n without gaps", async () => {
    await createFunction(scf, { name: "numbered", files: versionCode(0) });
    const before = await perNode(cluster, "quiver_api_requests_total", { action: "PublishVersion" });
    // Separate clients (connections) through the balancer, and straight to each node.
    const clients = [...Array.from({ length: 3 }, () => alice(cluster)), ...cluster.nodes.map((node) => alice(node))];
    const results = await Promise.all(Array.from({ length: 18 }, (_, i) => (clients[i % clients.length] ?? scf).PublishVersion({ FunctionName: "numbered", Description: `p${i}` })));
    const numbers = results.map((r) => Number(r.FunctionVersion)).sort((x, y) => x - y);
    assert.deepEqual(numbers, Array.from({ length: 18 }, (_, i) => i + 1));
    const served = (await perNode(cluster, "quiver_api_requests_total", { action: "PublishVersion" })).map((n, i) => n - (before[i] ?? 0));
    assert.ok(served.every((n) => n > 0), `every node published some: ${served.join(", ")}`);
    // FunctionGraph, through the balancer, lists the same versions whatever node answers.
    const listed = wire(await fgClient(cluster.url).listFunctionVersions(new fg.ListFunctionVersionsRequest().withFunctionUrn(urnOf("numbered")).withMaxitems("100")));
    assert.deepEqual(versionNames(listed).filter((v) => /^\d+$/.test(v)).map(Number).sort((x, y) => x - y), numbers);
  });

  it("a 10 % alias sends 9-11 of every 100 calls to its additional version, across nodes and both SDKs", async () => {
    await functionWithVersions(scf, "canary", 2);
    await scf.CreateAlias({ FunctionName: "canary", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [{ Version: "2", Weight: 0.1 }] } });
    const huawei = fgClient(cluster.url);
    const before = await perNode(cluster, "quiver_invocations_total");
    const picks: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      if (i % 3 === 2) picks.push(fgNumber(await fgInvoke(huawei, urnOf("canary", "!live"))));
      else picks.push(Number(await call(scf, "canary", {}, { Qualifier: "live" })));
    }
    for (let start = 0; start + 100 <= picks.length; start += 1) {
      const extra = picks.slice(start, start + 100).filter((v) => v === 2).length;
      assert.ok(extra >= 9 && extra <= 11, `calls ${start}..${start + 99} ran version 2 ${extra} times`);
    }
    const served = (await perNode(cluster, "quiver_invocations_total")).map((n, i) => n - (before[i] ?? 0));
    assert.ok(served.filter((n) => n > 0).length === 3, `every node ran some: ${served.join(", ")}`);
  });

  it("PublishVersion's documented 20/s holds for the account across the nodes", async () => {
    const bob = scfClient(cluster, BOB);
    await createFunction(bob, { name: "limited", files: versionCode(0) });
    const clients = cluster.nodes.map((node) => scfClient(node, BOB));
    const started = performance.now();
    const outcomes = await Promise.all(Array.from({ length: 60 }, (_, i) => errorCode((clients[i % 3] ?? bob).PublishVersion({ FunctionName: "limited" })).catch(() => "OK")));
    const seconds = (performance.now() - started) / 1000;
    const ok = outcomes.filter((code) => code === "OK").length;
    const limited = outcomes.filter((code) => code === "RequestLimitExceeded").length;
    assert.equal(ok + limited, 60, `only successes and the rate limit's code: ${outcomes.join(",")}`);
    // A burst of 20 for the account (not 20 per node: that would let 60 through), plus what 20/s refilled meanwhile.
    assert.ok(ok >= 20 && ok <= 20 + Math.ceil(seconds * 20), `${ok} of 60 publishes in ${seconds.toFixed(2)} s let through`);
  });

  it("an alias repointed through the balancer is what every node runs on its very next call", async () => {
    await functionWithVersions(scf, "flip", 2);
    await scf.CreateAlias({ FunctionName: "flip", Name: "live", FunctionVersion: "1" });
    const direct = cluster.nodes.map((node) => ({ scf: alice(node), fg: fgClient(node.url) }));
    for (let round = 0; round < 10; round += 1) {
      const target = round % 2 === 0 ? 2 : 1;
      // Every node has the alias cached from a call before the change.
      for (const node of direct) assert.equal(await call(node.scf, "flip", {}, { Qualifier: "live" }), 3 - target);
      await scf.UpdateAlias({ FunctionName: "flip", Name: "live", FunctionVersion: String(target) });
      for (const [index, node] of direct.entries()) {
        const viaScf = await call(node.scf, "flip", {}, { Qualifier: "live" });
        const viaFg = fgNumber(await fgInvoke(node.fg, urnOf("flip", "!live")));
        assert.deepEqual([viaScf, viaFg], [target, target], `round ${round}, node ${index}`);
      }
    }
  });

  it("code and a layer stored through one node run on every node: packages come from PostgreSQL, no shared disk", async () => {
    const [first, second] = cluster.nodes;
    assert.ok(first && second);
    const layer = await buildZip({ "nodejs/node_modules/greeting/index.js": "module.exports = 'hello from a layer';\n" });
    const { LayerVersion } = await alice(first).PublishLayerVersion({ LayerName: "shared", CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: layer.toString("base64") } });
    await alice(second).CreateFunction({
      FunctionName: "layered",
      Runtime: "Nodejs18.15",
      Handler: "index.main_handler",
      Code: { ZipFile: await zipBase64({ "index.js": "exports.main_handler = async () => require('greeting');\n" }) },
      Layers: [{ LayerName: "shared", LayerVersion: LayerVersion ?? 1 }],
    });
    for (const node of cluster.nodes) assert.equal(await call(alice(node), "layered"), "hello from a layer", `node ${node.index}`);
  });
});
