import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "../helpers/node-test.js";
import { tempDir } from "../helpers/accounts.js";
import { readProject } from "../../src/cli/client/project.js";
import { packageFiles } from "../../src/cli/client/packaging.js";
import { CliError } from "../../src/cli/client/failure.js";

describe("quiver deploy project files", () => {
  it("serverless.yml: every honoured key, src with excludes, timer and http events", () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, "serverless.yml"), [
        "component: scf", "name: inst", "app: a", "stage: dev", "inputs:", "  name: fn", "  src:", "    src: ./code", "    exclude: ['*.md']", "  handler: app.main", "  runtime: Python3.9",
        "  memorySize: 512", "  timeout: 20", "  namespace: ns", "  description: d", "  region: ap-shanghai", "  environment:", "    variables:", "      A: '1'", "  events:",
        "    - timer:", "        parameters:", "          name: t", "          cronExpression: '0 * * * * * *'", "          enable: false", "          argument: arg",
        "    - http:", "        parameters:", "          authType: CAM", "",
      ].join("\n"));
      const p = readProject(dir.path);
      assert.equal(p.name, "fn");
      assert.equal(p.namespace, "ns");
      assert.equal(p.region, "ap-shanghai");
      assert.equal(p.src, join(dir.path, "code"));
      assert.deepEqual(p.exclude, ["*.md"]);
      assert.deepEqual(p.settings, { handler: "app.main", runtime: "Python3.9", memoryMb: 512, timeoutSec: 20, description: "d", environment: { A: "1" } });
      assert.deepEqual(p.triggers, [
        { type: "timer", name: "t", schedule: { form: "scf-cron", text: "0 * * * * * *" }, enabled: false, argument: "arg", qualifier: undefined },
        { type: "http", name: "http-2", authType: "CAM", qualifier: undefined },
      ]);
    } finally {
      dir.remove();
    }
  });

  it("s.yaml: the fgs component's trigger, one mapping or a list, TIMER and APIG", () => {
    const dir = tempDir();
    const yaml = (trigger: string[]): string => ["edition: 1.0.0", "services:", "  fn:", "    props:", "      function:", "        functionName: hello", "      trigger:", ...trigger, ""].join("\n");
    try {
      writeFileSync(join(dir.path, "s.yaml"), yaml(["        triggerTypeCode: TIMER", "        status: DISABLED", "        eventData:", "          name: Timer-1", "          scheduleType: Rate", "          schedule: 3m", "          userEvent: hi"]));
      assert.deepEqual(readProject(dir.path).triggers, [{ type: "timer", name: "Timer-1", schedule: { form: "fgs-rate", text: "3m" }, enabled: false, argument: "hi" }]);
      writeFileSync(join(dir.path, "s.yaml"), yaml(["        - triggerTypeCode: TIMER", "          eventData:", "            scheduleType: Cron", "            schedule: 0 15 2 * * ?",
        "        - triggerTypeCode: APIG", "          eventData:", "            groupName: g", "            protocol: HTTP", "            timeout: 5000", "            path: /hi", "            method: GET"]));
      assert.deepEqual(readProject(dir.path).triggers, [
        { type: "timer", name: "timer-1", schedule: { form: "fgs-cron", text: "0 15 2 * * ?" }, enabled: true, argument: undefined },
        { type: "http", name: "http-2", authType: "CAM", enabled: true, apig: { groupId: undefined, groupName: "g", protocol: "HTTP", timeoutMs: 5000, path: "/hi", method: "GET" } },
      ], "the component's default auth is IAM (CAM)");
      const refused: [string[], RegExp][] = [
        [["        triggerTypeCode: OBS", "        eventData: {}"], /props\.trigger\.triggerTypeCode "OBS" is not supported: TIMER or APIG/],
        [["        triggerTypeCode: APIG", "        eventData:", "          auth: App"], /eventData\.auth must be IAM or NONE/],
        [["        triggerTypeCode: TIMER", "        eventData:", "          schedule: 3m"], /eventData\.scheduleType must be Rate or Cron/],
        [["        triggerTypeCode: TIMER", "        status: OFF", "        eventData: {}"], /status must be ACTIVE or DISABLED/],
      ];
      for (const [trigger, message] of refused) {
        writeFileSync(join(dir.path, "s.yaml"), yaml(trigger));
        assert.throws(() => readProject(dir.path), (error: unknown) => error instanceof CliError && error.exitCode === 2 && message.test(error.message), trigger.join("\n"));
      }
    } finally {
      dir.remove();
    }
  });

  it("s.yaml: one FunctionGraph function", () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, "s.yaml"), [
        "edition: 3.0.0", "name: app", "access: default", "resources:", "  fn:", "    component: fgs", "    props:", "      region: cn-north-4", "      function:",
        "        functionName: hello", "        handler: index.handler", "        runtime: Node.js18.15", "        memorySize: 256", "        timeout: 30", "        package: default",
        "        codeUri: ./src", "        environmentVariables:", "          K: v", "",
      ].join("\n"));
      const p = readProject(dir.path);
      assert.deepEqual([p.name, p.namespace, p.region, p.src], ["hello", "default", "cn-north-4", join(dir.path, "src")]);
      assert.deepEqual(p.settings, { handler: "index.handler", runtime: "Node.js18.15", memoryMb: 256, timeoutSec: 30, environment: { K: "v" } });
    } finally {
      dir.remove();
    }
  });

  it("refuses unknown keys, other components and bad values, naming the key", () => {
    const cases: [string, string, RegExp][] = [
      ["serverless.yml", "component: scf\ninputs:\n  name: x\n  layers: []\n", /inputs\.layers is not supported by quiver deploy/],
      ["serverless.yml", "component: express\ninputs: {}\n", /component "express" is not supported: only "scf"/],
      ["serverless.yml", "component: scf\ninputs:\n  memorySize: lots\n", /inputs\.memorySize must be a whole number/],
      ["serverless.yml", "component: scf\ninputs:\n  events:\n    - cos:\n        parameters: {}\n", /event type "cos" is not supported: timer or http/],
      ["serverless.yml", "component: scf\ninputs: [\n", /is not valid YAML/],
      ["s.yaml", "edition: 3.0.0\nresources:\n  a:\n    props:\n      function:\n        functionName: x\n        vpcConfig: {}\n", /resources\.a\.props\.function\.vpcConfig is not supported/],
    ];
    for (const [file, text, message] of cases) {
      const dir = tempDir();
      try {
        writeFileSync(join(dir.path, file), text);
        assert.throws(() => readProject(dir.path), (error: unknown) => error instanceof CliError && error.exitCode === 2 && message.test(error.message), text);
      } finally {
        dir.remove();
      }
    }
  });

  it("packaging honours .quiverignore and leaves out .git, .quiver and the project files", async () => {
    const dir = tempDir();
    try {
      for (const d of [".git", ".quiver", "lib", "logs"]) mkdirSync(join(dir.path, d));
      for (const f of [".git/HEAD", ".quiver/quiver.db", "lib/a.js", "logs/x.log", "index.js", "serverless.yml", "debug.log"]) writeFileSync(join(dir.path, f), "x");
      writeFileSync(join(dir.path, ".quiverignore"), "*.log\n");
      assert.deepEqual((await packageFiles(dir.path)).map((f) => f.name), ["index.js", "lib/a.js"]);
    } finally {
      dir.remove();
    }
  });
});
