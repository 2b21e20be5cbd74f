import { runStoreConformance } from "../../src/store/conformance/metadata-store.case.js";
import { sqliteUnderTest } from "./sqlite-under-test.js";

runStoreConformance("sqlite", () => sqliteUnderTest());
