import type { FunctionConfig } from "../../src/core/model.js";

/** A plain Node.js function's configuration, for tests that drive the core or a store directly. */
export const NODE_FUNCTION_CONFIG: FunctionConfig = {
  runtime: { family: "nodejs", version: "18.15" },
  handler: "index.main_handler",
  memoryMb: 128,
  timeoutSec: 3,
  description: "",
  environment: {},
  type: "Event",
  extras: {},
};
