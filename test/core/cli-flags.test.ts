import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "../helpers/node-test.js";
import { tempDir } from "../helpers/accounts.js";
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

  it("timer flags: default time zone, missed-fire policy, a virtual clock and where it starts", () => {
    const parse = (args: string[]): ReturnType<typeof parseConfig> => parseConfig(JSON.parse(JSON.stringify(configFromArgs(["serve", ...args]))) as ConfigInput);
    assert.deepEqual(parse([]).timers, { timezone: "UTC", missed: "latest", clock: "system", refreshMs: 1000 });
    const set = parse(["--timer-timezone", "Asia/Shanghai", "--timer-missed", "skip", "--clock", "virtual", "--clock-start", "2030-01-01T00:00:00Z"]).timers;
    assert.deepEqual(set, { timezone: "Asia/Shanghai", missed: "skip", clock: "virtual", clockStart: "2030-01-01T00:00:00Z", refreshMs: 1000 });
    const refused: [string[], RegExp][] = [
      [["--timer-timezone", "Mars/Olympus"], /timers\.timezone: must be an IANA time zone/],
      [["--timer-missed", "all"], /timers\.missed/],
      [["--clock", "fast"], /timers\.clock/],
      [["--clock-start", "2030-01-01T00:00:00Z"], /needs the virtual clock/],
      [["--clock", "virtual", "--clock-start", "tomorrow"], /timers\.clockStart/],
    ];
    for (const [args, message] of refused) assert.throws(() => parse(args), (error: unknown) => error instanceof ConfigError && message.test(error.message), args.join(" "));
  });

  it("metrics flags: the token (or a file holding it) and the label cap", () => {
    const parse = (args: string[]): ReturnType<typeof parseConfig> => parseConfig(JSON.parse(JSON.stringify(configFromArgs(["serve", ...args]))) as ConfigInput);
    assert.deepEqual(parse([]).metrics, { maxFunctions: 100, maxVersionsPerFunction: 10 });
    assert.deepEqual(parse(["--metrics-token", "token-0123456789abcdef", "--metrics-max-functions", "5", "--metrics-max-versions", "2"]).metrics, { token: "token-0123456789abcdef", maxFunctions: 5, maxVersionsPerFunction: 2 });
    const dir = tempDir();
    try {
      const file = join(dir.path, "token");
      writeFileSync(file, "token-from-a-file-0123\n");
      assert.equal(parse(["--metrics-token-file", file]).metrics.token, "token-from-a-file-0123");
      assert.throws(() => parse(["--metrics-token-file", join(dir.path, "absent")]), (error: unknown) => error instanceof ConfigError && /cannot read/.test(error.message));
      assert.throws(() => parse(["--metrics-token", "token-0123456789abcdef", "--metrics-token-file", file]), (error: unknown) => error instanceof ConfigError && /not both/.test(error.message));
    } finally {
      dir.remove();
    }
    assert.throws(() => parse(["--metrics-token", "short"]), (error: unknown) => error instanceof ConfigError && /metrics\.token: a metrics token has at least 16 characters/.test(error.message));
  });

  it("records flags: off, retention by age and size, the log and result caps", () => {
    const parse = (args: string[]): ReturnType<typeof parseConfig> => parseConfig(JSON.parse(JSON.stringify(configFromArgs(["serve", ...args]))) as ConfigInput);
    assert.deepEqual(parse([]).records, {
      enabled: true, retentionDays: 7, retentionBytes: 1024 ** 3, retentionEveryMs: 600_000, maxLogBytes: 1024 ** 2, maxResultBytes: 64 * 1024,
    });
    const set = parse(["--no-records", "--records-retention-days", "2", "--records-retention-mb", "10", "--records-max-log-kb", "16", "--records-max-result-kb", "0"]).records;
    assert.deepEqual(set, { enabled: false, retentionDays: 2, retentionBytes: 10 * 1024 ** 2, retentionEveryMs: 600_000, maxLogBytes: 16 * 1024, maxResultBytes: 0 });
    assert.throws(() => parse(["--records-max-log-kb", "1"]), (error: unknown) => error instanceof ConfigError && /records\.maxLogBytes/.test(error.message), "a log cap below the 4 KB the tails show");
    assert.throws(() => parse(["--records-retention-days", "0"]), (error: unknown) => error instanceof ConfigError && /records\.retentionDays/.test(error.message));
  });
});
