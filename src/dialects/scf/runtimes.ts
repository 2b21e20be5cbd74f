import { invalid } from "../../core/errors.js";
import type { RuntimeId } from "../../core/model.js";

/** Runtime names SCF documents for CreateFunction. */
export const SCF_RUNTIMES = [
  "Python2.7", "Python3.6", "Python3.7", "Python3.9", "Python3.10",
  "Nodejs6.10", "Nodejs8.9", "Nodejs10.15", "Nodejs12.16", "Nodejs14.18", "Nodejs16.13", "Nodejs18.15",
  "Php5.6", "Php7", "Php7.4", "Php8.0", "Go1", "Java8", "CustomRuntime",
] as const;

/**
 * Maps an SCF runtime name to what Quiver runs. Quiver runs Node.js handlers on the host's
 * Node and Python 3 handlers on the host's Python 3; anything else is refused at create time
 * rather than accepted and failed at the first invoke.
 */
export function scfRuntime(name: string): RuntimeId {
  if (!(SCF_RUNTIMES as readonly string[]).includes(name)) {
    throw invalid("Runtime", `Runtime "${name}" is not an SCF runtime; use one of ${SCF_RUNTIMES.join(", ")}.`);
  }
  const node = /^Nodejs(.+)$/.exec(name);
  if (node?.[1]) return { family: "nodejs", version: node[1] };
  const python = /^Python(3\..+)$/.exec(name);
  if (python?.[1]) return { family: "python", version: python[1] };
  throw invalid("Runtime", `Runtime "${name}" cannot run on Quiver, which runs Node.js and Python 3 functions; use e.g. Nodejs18.15 or Python3.9.`);
}

/** The SCF spelling of a runtime, whichever dialect created the function. */
export function scfRuntimeName(runtime: RuntimeId): string {
  if (runtime.family === "custom") return "CustomRuntime";
  return runtime.family === "nodejs" ? `Nodejs${runtime.version}` : `Python${runtime.version}`;
}
