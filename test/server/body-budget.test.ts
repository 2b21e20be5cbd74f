import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "../helpers/node-test.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { collect, exchange, type Exchange } from "../helpers/raw-http.js";

const MB = 1024 * 1024;

/** Starts an upload that declares `declared` bytes, sends `sent` of them and then stalls. */
function stalledUpload(port: number, path: string, declared: number, sent: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`);
      socket.write(Buffer.alloc(sent, "a"), () => resolve(socket));
    });
  });
}

void describe("the budget of request bodies in flight", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ http: { bodyBudgetBytes: 10 * MB } });
  });
  after(async () => server.stop());

  const port = (): number => Number(new URL(server.url).port);

  void test("refuses a body that does not fit before reading it, in each vendor's envelope, and admits it again once room is back", { timeout: 30_000 }, async () => {
    const holder = await stalledUpload(port(), "/", 8 * MB, MB);
    const scf = await exchange(port(), `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${4 * MB}\r\n\r\n`, { end: false });
    assert.equal(scf.responses[0]?.status, 200);
    assert.equal((JSON.parse(scf.responses[0]?.body ?? "{}") as { Response: { Error: { Code: string } } }).Response.Error.Code, "RequestLimitExceeded");
    const fgs = await exchange(port(), `PUT /v2/p/fgs/functions/f/code HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${4 * MB}\r\n\r\n`, { end: false });
    assert.equal(fgs.responses[0]?.status, 429);
    assert.equal((JSON.parse(fgs.responses[0]?.body ?? "{}") as { error_code: string }).error_code, "FSS.0429");
    // A small body still fits next to the stalled upload.
    const small = await exchange(port(), "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
    assert.notEqual(JSON.parse(small.responses[0]?.body ?? "{}").Response?.Error?.Code, "RequestLimitExceeded");
    // The stalled upload completes and is answered: its room is given back.
    const answered = new Promise<Exchange>((resolve) => collect(holder, performance.now(), resolve));
    holder.end(Buffer.alloc(7 * MB, "a"));
    assert.equal((await answered).responses[0]?.status, 200);
    const body = Buffer.alloc(8 * MB, "a");
    const fits = await exchange(port(), Buffer.concat([Buffer.from(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]));
    assert.equal(fits.responses[0]?.status, 200);
    assert.notEqual((JSON.parse(fits.responses[0]?.body ?? "{}") as { Response: { Error?: { Code: string } } }).Response.Error?.Code, "RequestLimitExceeded", "room came back once the upload was over");
  });
});
