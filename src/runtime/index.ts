export { Engine, type EngineStats } from "./engine.js";
export type { EngineLogger, EngineOptions, Family } from "./options.js";
export { transition, IllegalTransition, type InstanceState } from "./state.js";
