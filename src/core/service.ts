import { Aliases } from "./functions/aliases.js";
import { Capacity } from "./functions/capacity.js";
import type { ServiceDeps } from "./functions/context.js";
import { Functions } from "./functions/functions.js";
import { Namespaces } from "./functions/namespaces.js";
import { Layers } from "./functions/layers.js";
import { InvocationResolver } from "./functions/resolution.js";
import { Triggers } from "./functions/triggers.js";
import { Versions } from "./functions/versions.js";

export type { ServiceDeps } from "./functions/context.js";

/**
 * The control plane, shared by every wire dialect: one aggregate per kind of thing, each
 * written once in `core/functions/`. It knows nothing of HTTP, SQL or vendors; dialects
 * validate wire input into domain values (a `FunctionRef` names the function) and call
 * `service.<aggregate>.<use case>`. This class only builds the aggregates over shared deps.
 */
export class FunctionService {
  readonly namespaces: Namespaces;
  readonly functions: Functions;
  readonly versions: Versions;
  readonly aliases: Aliases;
  readonly triggers: Triggers;
  readonly capacity: Capacity;
  readonly layers: Layers;
  /** What an invocation runs (used by the InvocationService). */
  readonly resolver: InvocationResolver;

  constructor(deps: ServiceDeps) {
    this.namespaces = new Namespaces(deps);
    this.functions = new Functions(deps, this.namespaces);
    this.versions = new Versions(deps, this.functions);
    this.aliases = new Aliases(deps, this.functions);
    this.triggers = new Triggers(deps, this.functions);
    this.capacity = new Capacity(deps, this.functions, this.namespaces);
    this.layers = new Layers(deps);
    this.resolver = new InvocationResolver(deps, this.functions, this.aliases);
  }
}
