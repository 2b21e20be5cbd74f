/**
 * The live tail (`GET /quiver/v1/logs/tail`): a function's output arrives while the invocation
 * still runs, then an `end` event with its outcome; only the signing account's functions are
 * seen; bad signatures are refused; a qualifier narrows the stream; stopping the server ends it.
 */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { eventually } from "../helpers/eventually.js";
import { openTail, openTailWith, tc3TailHeaders, TAIL_PATH, type SseEvent, type Tail } from "../helpers/live-tail.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createHttpTrigger, scfTriggerUrl } from "../helpers/triggers.js";
import { createFunction, invoke, scfClient } from "../helpers/scf-client.js";
import { zipBase64 } from "../helpers/zip.js";

/** Prints its own clock with a tag, then waits `waitMs` before answering. */
const PRINTER = `
exports.main_handler = async (event) => {
  console.log("TAIL-LINE " + Date.now() + " " + (event.tag || ""));
  await new Promise((resolve) => setTimeout(resolve, event.waitMs || 0));
  if (event.fail) throw new Error("failed on purpose");
  return "done " + (event.tag || "");
};
`;

/** A web function's server that prints a line for each request. */
const WEB_SERVER = `
require('node:http').createServer((req, res) => {
  console.log('WEB-LINE ' + req.url);
  res.end('ok');
}).listen(process.env.PORT || 9000);
`;


const isLog = (tag: string) => (e: SseEvent): boolean => e.event === "log" && String(e.data.text).includes(`TAIL-LINE `) && String(e.data.text).includes(` ${tag}`);
const isEnd = (requestId: string) => (e: SseEvent): boolean => e.event === "end" && e.data.requestId === requestId;

describe("live tail", () => {
  let server: TestQuiver;
  const tails: Tail[] = [];
  const open = async (...args: Parameters<typeof openTail>): Promise<Tail> => {
    const tail = await openTail(...args);
    tails.push(tail);
    return tail;
  };

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    await createFunction(scfClient(server), { name: "printer", files: { "index.js": PRINTER }, timeout: 10 });
    await scfClient(server).PublishVersion({ FunctionName: "printer" });
    // Bob has a function of the same name: his tail must see only his own.
    await createFunction(scfClient(server, BOB), { name: "printer", files: { "index.js": PRINTER }, timeout: 10 });
  });
  after(async () => {
    for (const tail of tails) tail.close();
    await server.stop();
  });

  it("streams a printed line within 100 ms of the print, then the outcome", async () => {
    const tail = await open(server.url, { function: "printer" }, { tencent: ALICE.tencent });
    assert.equal(tail.status, 200);
    await tail.next((e) => e.event === "ready");
    const invocation = invoke(scfClient(server), "printer", { tag: "live", waitMs: 2_000 });
    const line = await tail.next(isLog("live"));
    const printedAt = Number(/TAIL-LINE (\d+)/.exec(String(line.data.text))?.[1]);
    assert.ok(line.receivedAt - printedAt < 100, `received ${line.receivedAt - printedAt} ms after the print`);
    assert.equal(line.data.versionName, "$LATEST");
    assert.equal(line.data.stream, "stdout");
    // The line came while the function still waited: the invocation has not answered yet.
    assert.equal(tail.events.some((e) => e.event === "end"), false);
    const result = await invocation;
    assert.equal(line.data.requestId, result.FunctionRequestId);
    const end = await tail.next(isEnd(result.FunctionRequestId));
    assert.equal(end.data.resultCode, "success");
    assert.equal(end.data.versionName, "$LATEST");
    assert.ok(Number(end.data.durationMs) >= 2_000);
  });

  it("sends a failure's outcome", async () => {
    const tail = await open(server.url, { function: "printer" }, { tencent: ALICE.tencent });
    await tail.next((e) => e.event === "ready");
    const result = await invoke(scfClient(server), "printer", { tag: "boom", fail: true });
    const end = await tail.next(isEnd(result.FunctionRequestId));
    assert.equal(end.data.resultCode, "function-error");
    assert.match(String(end.data.errorMessage), /failed on purpose/);
  });

  it("shows another account nothing of it", async () => {
    const bobs = await open(server.url, { function: "printer" }, { tencent: BOB.tencent });
    await bobs.next((e) => e.event === "ready");
    const alices = await open(server.url, { function: "printer" }, { tencent: ALICE.tencent });
    await alices.next((e) => e.event === "ready");
    const alice = await invoke(scfClient(server), "printer", { tag: "alice-only" });
    await alices.next(isEnd(alice.FunctionRequestId));
    // Both tails hear the engine at the same moment: once Bob's own invocation reaches his tail,
    // anything of Alice's would have come before it.
    const bob = await invoke(scfClient(server, BOB), "printer", { tag: "bob" });
    await bobs.next(isEnd(bob.FunctionRequestId));
    const requestIds = new Set(bobs.events.filter((e) => e.event !== "ready").map((e) => e.data.requestId));
    assert.deepEqual([...requestIds], [bob.FunctionRequestId]);
  });

  it("refuses a function the signer does not have, bad signatures, and unsigned requests", async () => {
    await scfClient(server).CreateNamespace({ Namespace: "alicens" });
    const missing = await open(server.url, { function: "printer", namespace: "alicens" }, { tencent: BOB.tencent });
    assert.equal(missing.status, 404);
    assert.equal(missing.refusal?.error.code, "NamespaceNotFound");

    const wrongKey = await open(server.url, { function: "printer" }, { tencent: { ...ALICE.tencent, secretKey: "not-alices-key-000000000000000" } });
    assert.equal(wrongKey.status, 401);
    assert.equal(wrongKey.refusal?.error.code, "AuthSignatureMismatch");

    // Signed for one function, sent for another: the query is signed.
    const signed = tc3TailHeaders(server.endpoint, ALICE.tencent, "function=printer");
    const swapped = await openTailWith(server.url, `${TAIL_PATH}?function=other`, signed);
    assert.equal(swapped.status, 401);
    assert.equal(swapped.refusal?.error.code, "AuthSignatureMismatch");

    const old = await openTailWith(server.url, `${TAIL_PATH}?function=printer`, tc3TailHeaders(server.endpoint, ALICE.tencent, "function=printer", { timestamp: Math.floor(Date.now() / 1000) - 3_600 }));
    assert.equal(old.status, 401);
    assert.equal(old.refusal?.error.code, "AuthExpired");

    const unsigned = await openTailWith(server.url, `${TAIL_PATH}?function=printer`, {});
    assert.equal(unsigned.status, 401);
    assert.equal(unsigned.refusal?.error.code, "AuthMissing");

    const huaweiWrong = await open(server.url, { function: "printer" }, { huawei: { ...ALICE.huawei, secretKey: "wrong-secret-key-0000000000000000000000" } });
    assert.equal(huaweiWrong.status, 401);
    assert.equal(huaweiWrong.refusal?.error.code, "AuthSignatureMismatch");

    const noFunction = await open(server.url, { function: "" }, { tencent: ALICE.tencent });
    assert.equal(noFunction.status, 400);
    assert.equal(noFunction.refusal?.error.code, "MissingParameter");
  });

  it("takes Huawei keys, reading the functions of the key's project region", async () => {
    const region = ALICE.huawei.region;
    await createFunction(scfClient(server, ALICE, { region }), { name: "printer", files: { "index.js": PRINTER }, timeout: 10 });
    const tail = await open(server.url, { function: "printer" }, { huawei: ALICE.huawei });
    assert.equal(tail.status, 200);
    await tail.next((e) => e.event === "ready");
    const result = await invoke(scfClient(server, ALICE, { region }), "printer", { tag: "huawei" });
    await tail.next(isLog("huawei"));
    await tail.next(isEnd(result.FunctionRequestId));
  });

  it("streams asynchronous invocations and web functions behind a trigger URL too", async () => {
    const scf = scfClient(server);
    const tail = await open(server.url, { function: "printer" }, { tencent: ALICE.tencent });
    await tail.next((e) => e.event === "ready");
    const accepted = await scf.Invoke({ FunctionName: "printer", InvocationType: "Event", ClientContext: JSON.stringify({ tag: "async" }) });
    const requestId = accepted.Result?.FunctionRequestId ?? "";
    assert.equal((await tail.next(isLog("async"))).data.requestId, requestId);
    assert.equal((await tail.next(isEnd(requestId))).data.source, "async");

    await scf.CreateFunction({
      FunctionName: "site",
      Type: "HTTP",
      Runtime: "Nodejs18.15",
      Timeout: 3,
      Code: { ZipFile: await zipBase64({ scf_bootstrap: { content: "#!/bin/bash\nexec /var/lang/node18/bin/node server.js\n", mode: 0o100755 }, "server.js": { content: WEB_SERVER } }) },
    });
    await createHttpTrigger(server, { account: ALICE, functionName: "site", name: "url" });
    const web = await open(server.url, { function: "site" }, { tencent: ALICE.tencent });
    await web.next((e) => e.event === "ready");
    const response = await fetch(`${scfTriggerUrl(server, ALICE, "site", "url")}/visited`);
    assert.equal(response.status, 200);
    const webRequestId = response.headers.get("x-scf-request-id") ?? "";
    const line = await web.next((e) => e.event === "log" && String(e.data.text).includes("WEB-LINE /visited"));
    assert.equal(line.data.requestId, webRequestId);
    assert.equal((await web.next(isEnd(webRequestId))).data.source, "http");
  });

  it("with a qualifier, sees only the invocations that asked for it or ran it", async () => {
    const tail = await open(server.url, { function: "printer", qualifier: "1" }, { tencent: ALICE.tencent });
    await tail.next((e) => e.event === "ready");
    const latest = await invoke(scfClient(server), "printer", { tag: "head" });
    const v1 = await invoke(scfClient(server), "printer", { tag: "one" }, { Qualifier: "1" });
    const end = await tail.next((e) => e.event === "end");
    assert.equal(end.data.requestId, v1.FunctionRequestId, "the first outcome on the tail is version 1's");
    assert.equal(end.data.versionName, "1");
    assert.equal(tail.events.some((e) => e.data.requestId === latest.FunctionRequestId), false);
  });
});

describe("live tail limits", () => {
  it("keeps at most 10 open per account; closing one makes room", async () => {
    const server = await startQuiver();
    const tails: Tail[] = [];
    try {
      await createFunction(scfClient(server), { name: "printer", files: { "index.js": PRINTER } });
      for (let i = 0; i < 10; i++) {
        const tail = await openTail(server.url, { function: "printer" }, { tencent: ALICE.tencent });
        tails.push(tail);
        await tail.next((e) => e.event === "ready");
      }
      const refused = await openTail(server.url, { function: "printer" }, { tencent: ALICE.tencent });
      assert.equal(refused.status, 429);
      assert.equal(refused.refusal?.error.code, "RateLimited");
      tails.shift()?.close();
      const again = await eventually(async () => {
        const tail = await openTail(server.url, { function: "printer" }, { tencent: ALICE.tencent });
        if (tail.status === 200) return tail;
        assert.equal(tail.status, 429, "refused only for the limit while the closed tail goes");
        return null;
      }, { what: "a tail opens once another was closed" });
      tails.push(again);
    } finally {
      for (const tail of tails) tail.close();
      await server.stop();
    }
  });
});

describe("live tail when the server stops", () => {
  it("ends open tails so SIGTERM stops the server at once", async () => {
    const server = await startQuiver({ mode: "process" });
    try {
      await createFunction(scfClient(server), { name: "printer", files: { "index.js": PRINTER } });
      const tail = await openTail(server.url, { function: "printer" }, { tencent: ALICE.tencent });
      await tail.next((e) => e.event === "ready");
      // A stop that waits on the open stream never ends: bounded here so the test says so.
      const stopped = await Promise.race([server.kill("SIGTERM"), delay(15_000, "still running 15 s after SIGTERM", { ref: false })]);
      assert.equal(stopped, 0);
      await tail.ended;
      assert.ok(tail.events.some((e) => e.event === "close"), "the tail got a close event");
    } finally {
      await server.stop();
    }
  });
});
