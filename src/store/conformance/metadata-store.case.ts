import { after, before, describe } from "node:test";
import { aliasCases } from "./aliases.case.js";
import { asyncCases } from "./async.case.js";
import { capacityCases } from "./capacity.case.js";
import type { StoreUnderTest } from "./fixtures.js";
import { functionCases } from "./functions.case.js";
import { layerCases } from "./layers.case.js";
import { namespaceCases } from "./namespaces.case.js";
import { recordCases } from "./records.case.js";
import { timerCases } from "./timers.case.js";
import { triggerCases } from "./triggers.case.js";
import { versionCases } from "./versions.case.js";

export type { StoreUnderTest } from "./fixtures.js";

/**
 * The contract of `MetadataStore`, run against every implementation (see test/store/*.test.ts).
 * Tests share one store and keep apart by working in their own account (see `freshScope`).
 */
export function runStoreConformance(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  void describe(`MetadataStore conformance: ${name}`, () => {
    let current: StoreUnderTest | null = null;
    const harness = (): StoreUnderTest => {
      if (!current) throw new Error("the store was not opened (see the suite's before hook)");
      return current;
    };
    before(async () => {
      current = await makeStore();
    });
    after(async () => {
      await current?.cleanup();
    });
    const context = { harness };
    namespaceCases(context);
    functionCases(context);
    versionCases(context);
    aliasCases(context);
    asyncCases(context);
    triggerCases(context);
    timerCases(context);
    recordCases(context);
    capacityCases(context);
    layerCases(context);
  });
}
