import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { configFromArgs } from "../../src/cli/main.js";
import { ConfigError, parseConfig } from "../../src/config/config.js";

void describe("store configuration", () => {
  void test("sqlite is the default; blobs default to the data dir", () => {
    const config = parseConfig({});
    assert.equal(config.store, "sqlite");
    assert.equal(config.blobDir, undefined);
  });

  void test("flags map to the configuration", () => {
    const input = configFromArgs(["serve", "--store", "postgres", "--database-url", "postgres://u@h:5432/db", "--blob-dir", "/shared/blobs"]);
    assert.notEqual(input, "help");
    const config = parseConfig(JSON.parse(JSON.stringify(input)) as Parameters<typeof parseConfig>[0]);
    assert.equal(config.store, "postgres");
    assert.equal(config.databaseUrl, "postgres://u@h:5432/db");
    assert.equal(config.blobDir, "/shared/blobs");
  });

  void test("postgres without a URL, a non-postgres URL, or an unknown store are refused", () => {
    assert.throws(() => parseConfig({ store: "postgres" }), (e: unknown) => e instanceof ConfigError && /databaseUrl: the postgres store needs a database URL/.test(e.message));
    assert.throws(() => parseConfig({ store: "postgres", databaseUrl: "mysql://x" }), /must be a postgres:\/\//);
    assert.throws(() => parseConfig({ store: "mysql" as "sqlite" }), ConfigError);
  });
});
