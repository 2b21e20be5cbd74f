import type { AliasRecord } from "../aliases.js";
import { QuiverError } from "../errors.js";
import { LATEST, type FunctionRecord, type FunctionRef } from "../model.js";
import type { ServiceDeps } from "./context.js";
import type { Aliases } from "./aliases.js";
import type { Functions } from "./functions.js";
import type { ResolvedQualifier } from "./versions.js";

/** What an invocation runs, and through which alias it got there. */
export interface ResolvedInvocation extends ResolvedQualifier {
  /** The concrete version name that runs ("$LATEST" for the head). */
  readonly versionName: string;
  readonly alias: string | null;
  readonly aliasRecord: AliasRecord | null;
}

/** How an invoke names what to run. */
export interface InvokeSelector {
  readonly qualifier: string;
  /** Header values for rule-based routing (SCF RoutingKey, FunctionGraph request headers). */
  readonly headers: Readonly<Record<string, string>>;
  /** A key that pins the caller to one version of a weighted alias. */
  readonly routingKey: string | null;
  /** Whether a qualifier may name an alias without a marker (SCF: always; FunctionGraph: `!name`). */
  readonly aliasLookup: "fallback" | "only" | "never";
}

/** Turns what an invoke names into the version that runs. */
export class InvocationResolver {
  readonly #deps: ServiceDeps;
  readonly #functions: Functions;
  readonly #aliases: Aliases;

  constructor(deps: ServiceDeps, functions: Functions, aliases: Aliases) {
    this.#deps = deps;
    this.#functions = functions;
    this.#aliases = aliases;
  }

  /**
   * The one place a qualifier becomes the version that runs: `$LATEST`, a version name, or an
   * alias whose routing picks a version for this call. Alias rows are read on every call, so
   * a repointed alias takes effect for the very next invocation. `known` is the function's record
   * when the caller has just read it.
   */
  async resolve(ref: FunctionRef, selector: InvokeSelector, known?: FunctionRecord): Promise<ResolvedInvocation> {
    const fn = known ?? (await this.#functions.get(ref));
    const { qualifier } = selector;
    if (selector.aliasLookup !== "only") {
      if (qualifier === LATEST) return { fn, version: null, versionName: LATEST, alias: null, aliasRecord: null };
      const version = await this.#deps.store.getVersion(fn.id, qualifier);
      if (version) return { fn, version, versionName: version.name, alias: null, aliasRecord: null };
    }
    const alias = selector.aliasLookup === "never" ? null : await this.#aliases.find(fn, qualifier);
    if (!alias) {
      throw new QuiverError("VersionNotFound", `Qualifier "${qualifier}" is neither a version nor an alias of function "${ref.name}".`, { subject: "qualifier" });
    }
    const versionName = await this.#deps.router.choose(alias, selector.headers, selector.routingKey);
    if (versionName === LATEST) return { fn, version: null, versionName, alias: alias.name, aliasRecord: alias };
    const version = await this.#deps.store.getVersion(fn.id, versionName);
    if (!version) throw new QuiverError("VersionNotFound", `Alias "${alias.name}" routes to version "${versionName}", which does not exist.`, { subject: "qualifier" });
    return { fn, version, versionName, alias: alias.name, aliasRecord: alias };
  }
}
