import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { configFromArgs } from "../../src/cli/main.js";
import { ConfigError, parseConfig, type ConfigInput } from "../../src/config/config.js";

describe("quiver serve flags", () => {
  it("--rate-limit sets per-action rates, repeatable, for either dialect's action names", () => {
    const input = configFromArgs(["serve", "--rate-limit", "PublishVersion=50", "--rate-limit", "createFunctionVersion=2.5"]) as ConfigInput;
    const config = parseConfig(JSON.parse(JSON.stringify(input)) as ConfigInput);
    assert.deepEqual(config.rateLimits.overrides, { PublishVersion: 50, createFunctionVersion: 2.5 });
    assert.equal(config.rateLimits.enabled, true);
  });

  it("refuses a malformed --rate-limit with a message that shows the form", () => {
    for (const bad of ["PublishVersion", "PublishVersion=0", "=5", "Publish Version=5", "PublishVersion=-1"]) {
      assert.throws(() => configFromArgs(["serve", "--rate-limit", bad]), (error: unknown) => error instanceof ConfigError && /ACTION=RATE/.test(error.message), bad);
    }
  });

  it("--no-rate-limit turns every limit off", () => {
    const input = configFromArgs(["serve", "--no-rate-limit"]) as ConfigInput;
    assert.equal(input.rateLimits?.enabled, false);
  });
});
