import { invalid } from "../../core/errors.js";
import type { FunctionConfig, RuntimeId } from "../../core/model.js";

/** Runtime names FunctionGraph documents (SDK 3.1.211 enum plus the current docs; reference §3.3). */
export const FGS_RUNTIMES = [
  "Java8", "Java11", "Java17", "Java21", "Python2.7", "Python3.6", "Python3.9", "Python3.10", "Python3.12",
  "Go1.8", "Go1.x", "Node.js6.10", "Node.js8.10", "Node.js10.16", "Node.js12.13", "Node.js14.18",
  "Node.js16.17", "Node.js18.15", "Node.js20.15", "C#(.NET Core 2.0)", "C#(.NET Core 2.1)",
  "C#(.NET Core 3.1)", "C#(.NET Core 6.0)", "Custom", "PHP7.3", "PHP8.3", "Cangjie1.0", "http", "Custom Image",
] as const;

/**
 * Maps a FunctionGraph runtime name to what Quiver runs. Quiver runs Node.js handlers on the
 * host's Node and Python 3 handlers on the host's Python 3; anything else is refused at create
 * time rather than accepted and failed at the first invoke.
 */
export function fgsRuntime(name: string): RuntimeId {
  if (!(FGS_RUNTIMES as readonly string[]).includes(name)) {
    throw invalid("runtime", `Runtime "${name}" is not a FunctionGraph runtime; use one of ${FGS_RUNTIMES.join(", ")}.`);
  }
  if (name === HTTP_RUNTIME) return { family: "custom", version: HTTP_RUNTIME };
  const node = /^Node\.js(.+)$/.exec(name);
  if (node?.[1]) return { family: "nodejs", version: node[1] };
  const python = /^Python(3\..+)$/.exec(name);
  if (python?.[1]) return { family: "python", version: python[1] };
  throw invalid("runtime", `Runtime "${name}" cannot run on Quiver, which runs Node.js and Python 3 functions; use e.g. Node.js18.15 or Python3.9.`);
}

/**
 * The FunctionGraph spelling of a function's runtime, whichever dialect created it: every web
 * function is an HTTP function (`http`) to FunctionGraph, an SCF one included.
 */
export function fgsRuntimeName({ runtime, type }: Pick<FunctionConfig, "runtime" | "type">): string {
  if (type === "HTTP" || runtime.family === "custom") return HTTP_RUNTIME;
  return runtime.family === "nodejs" ? `Node.js${runtime.version}` : `Python${runtime.version}`;
}

/** FunctionGraph's runtime for HTTP functions: the package's `bootstrap` starts a server. */
export const HTTP_RUNTIME = "http";

/** An HTTP function is one whose runtime is `http`; every other runtime runs a handler. */
export function fgsFunctionType(runtime: RuntimeId): FunctionConfig["type"] {
  return runtime.family === "custom" ? "HTTP" : "Event";
}
