/**
 * `node:test` with a per-test timeout. Node 20 applies `--test-timeout` to a whole test file
 * (the file is one test of the parent runner) and gives the tests inside no default, so one
 * stuck test would hold its file until the file's limit and say nothing about which test hung.
 * Every `it`/`test` from here gets {@link TEST_TIMEOUT_MS} unless it names its own `timeout`.
 * Test files import these instead of node:test's (a lint rule says so).
 */
import { test as nodeTest } from "node:test";

export { after, afterEach, before, beforeEach, describe, mock } from "node:test";
export type { TestContext } from "node:test";

/** Far above the slowest test (about 30 s on 2 busy cores) and far below the file limit. */
export const TEST_TIMEOUT_MS = 120_000;

type AnyTest = (...args: unknown[]) => Promise<void>;

/** Calls node:test's `run` with the same name and body and the options plus a default timeout. */
function bounded(run: AnyTest): AnyTest {
  return (...args: unknown[]) => {
    const name = typeof args[0] === "string" ? [args[0]] : [];
    const given = args.find((arg): arg is object => typeof arg === "object" && arg !== null);
    const body = args.filter((arg) => typeof arg === "function");
    return run(...name, { timeout: TEST_TIMEOUT_MS, ...given }, ...body);
  };
}

export const test = Object.assign(bounded(nodeTest as unknown as AnyTest), {
  skip: bounded(nodeTest.skip as unknown as AnyTest),
  todo: bounded(nodeTest.todo as unknown as AnyTest),
  only: bounded(nodeTest.only as unknown as AnyTest),
}) as unknown as typeof nodeTest;

export const it = test;
