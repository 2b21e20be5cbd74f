import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "../helpers/node-test.js";
import { AccountsFileError, loadAccountsFile } from "../../src/accounts/accounts.js";
import { ALICE, BOB, tempDir } from "../helpers/accounts.js";

void describe("accounts file", () => {
  const dir = tempDir();
  after(() => dir.remove());

  const load = (name: string, content: string): (() => unknown) => {
    const file = join(dir.path, name);
    writeFileSync(file, content);
    return () => loadAccountsFile(file);
  };

  void test("two valid accounts load and are found by SecretId", () => {
    const registry = load("ok.json", JSON.stringify([ALICE, BOB]))() as ReturnType<typeof loadAccountsFile>;
    assert.equal(registry.byTencentSecretId(ALICE.tencent.secretId)?.name, "alice");
    assert.equal(registry.byTencentSecretId(BOB.tencent.secretId)?.name, "bob");
    assert.equal(registry.byTencentSecretId("AKIDnobody"), undefined);
  });

  const refusals: readonly (readonly [string, string, RegExp])[] = [
    ["not JSON", "{ nope", /cannot read accounts file .*not-json\.json/],
    ["an empty list", "[]", /invalid accounts file .*an-empty-list\.json[\s\S]*at least one account/],
    ["a bad appId", JSON.stringify([{ ...ALICE, appId: "abc" }]), /a-bad-appid\.json[\s\S]*0\.appId: appId is a decimal number/],
    ["an unknown field", JSON.stringify([{ ...ALICE, password: "x" }]), /an-unknown-field\.json[\s\S]*password/],
    ["a missing secretKey", JSON.stringify([{ ...ALICE, tencent: { secretId: "AKIDx" } }]), /tencent\.secretKey/],
    ["a duplicated SecretId", JSON.stringify([ALICE, { ...BOB, tencent: ALICE.tencent }]), /tencent\.secretId .* two accounts/],
    ["a duplicated name", JSON.stringify([ALICE, { ...BOB, name: "alice" }]), /account name "alice" appears twice/],
    ["a duplicated appId", JSON.stringify([ALICE, { ...BOB, appId: ALICE.appId }]), /appId "1250000001" is used by two accounts/],
  ];
  for (const [what, content, message] of refusals) {
    void test(`${what} is refused with a readable message`, () => {
      assert.throws(load(`${what.replace(/\s+/g, "-").toLowerCase()}.json`, content), (error: unknown) => {
        assert.ok(error instanceof AccountsFileError);
        assert.match(error.message, message);
        return true;
      });
    });
  }
});
