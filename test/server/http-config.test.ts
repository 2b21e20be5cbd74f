import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { configFromArgs } from "../../src/cli/main.js";
import { ConfigError, parseConfig, type ConfigInput } from "../../src/config/config.js";
import { spawnCli } from "../helpers/cli.js";

const parsed = (args: string[]): ReturnType<typeof parseConfig> => parseConfig(JSON.parse(JSON.stringify(configFromArgs(["serve", ...args]))) as ConfigInput);

void describe("HTTP settings", { timeout: 60_000 }, () => {
  void it("defaults: 10 s for headers, 60 s for a whole request, 72 s keep-alive, 1024 connections, 256 MB of bodies", () => {
    assert.deepEqual(parsed([]).http, { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 72_000, maxConnections: 1024, maxHeaderBytes: 48 * 1024, bodyBudgetBytes: 256 * 2 ** 20 });
  });

  void it("flags take seconds (fractions allowed), a connection count and megabytes", () => {
    const config = parsed(["--headers-timeout", "2.5", "--request-timeout", "900", "--keep-alive-timeout", "5", "--max-connections", "64", "--body-budget-mb", "100"]);
    assert.deepEqual(config.http, { headersTimeoutMs: 2_500, requestTimeoutMs: 900_000, keepAliveTimeoutMs: 5_000, maxConnections: 64, maxHeaderBytes: 48 * 1024, bodyBudgetBytes: 100 * 2 ** 20 });
  });

  void it("refuses values that make no sense, naming the flag or setting", () => {
    for (const [flag, value] of [["--headers-timeout", "0"], ["--request-timeout", "soon"], ["--keep-alive-timeout", "1e3"], ["--max-connections", "1.5"]] as const) {
      assert.throws(() => configFromArgs(["serve", flag, value]), (error: unknown) => error instanceof ConfigError && error.message.includes(flag), `${flag} ${value}`);
    }
    assert.throws(() => parsed(["--max-connections", "0"]), /maxConnections/);
    assert.throws(() => parsed(["--headers-timeout", "90", "--request-timeout", "60"]), /headers timeout \(90000 ms\) cannot exceed the request timeout \(60000 ms\)/);
  });

  void it("serve --help lists the flags", async () => {
    const cli = spawnCli(["serve", "--help"]);
    assert.equal(await cli.exited, 0);
    for (const flag of ["--headers-timeout", "--request-timeout", "--keep-alive-timeout", "--max-connections"]) assert.ok(cli.stdout().includes(flag), flag);
  });
});

void describe("scale-out setting", () => {
  void it("eager by default; --patient-scale-out turns patient scale-out on", () => {
    assert.equal(parsed([]).engine.patientScaleOut, false);
    assert.equal(parsed(["--patient-scale-out"]).engine.patientScaleOut, true);
  });
});
