import { QuiverError } from "../errors.js";
import { DEFAULT_NAMESPACE, type Namespace, type Page, type Scope } from "../model.js";
import type { ListNamespacesQuery } from "../ports.js";
import type { ServiceDeps } from "./context.js";

/**
 * Namespaces (SCF) or packages (FunctionGraph). The default namespace always exists: it is
 * made on first use, and cannot be created or deleted.
 */
export class Namespaces {
  readonly #deps: ServiceDeps;

  constructor(deps: ServiceDeps) {
    this.#deps = deps;
  }

  async create(scope: Scope, name: string, description: string, maxNamespaces: number): Promise<Namespace> {
    if (name === DEFAULT_NAMESPACE) {
      throw new QuiverError("NamespaceProtected", `Namespace "${DEFAULT_NAMESPACE}" always exists and cannot be created.`, { subject: "namespace", operation: "create" });
    }
    const now = this.#deps.clock.now();
    const ns: Namespace = { name, description, createdAt: now, updatedAt: now };
    await this.#ensureDefault(scope);
    if (!(await this.#deps.store.insertNamespace(scope, ns, maxNamespaces))) {
      throw new QuiverError("NamespaceAlreadyExists", `Namespace "${name}" already exists.`, { subject: "namespace" });
    }
    return ns;
  }

  async require(scope: Scope, name: string): Promise<void> {
    if (name === DEFAULT_NAMESPACE) return;
    if (!(await this.#deps.store.getNamespace(scope, name))) {
      throw new QuiverError("NamespaceNotFound", `Namespace "${name}" does not exist.`, { subject: "namespace" });
    }
  }

  /** Like `require`, but the default namespace is made if it is not there yet (a function is about to go in). */
  async requireForNewFunction(scope: Scope, name: string): Promise<void> {
    if (name === DEFAULT_NAMESPACE) await this.#ensureDefault(scope);
    else await this.require(scope, name);
  }

  async update(scope: Scope, name: string, description: string): Promise<void> {
    if (name === DEFAULT_NAMESPACE) {
      await this.#ensureDefault(scope);
    }
    if (!(await this.#deps.store.updateNamespace(scope, name, description, this.#deps.clock.now()))) {
      throw new QuiverError("NamespaceNotFound", `Namespace "${name}" does not exist.`, { subject: "namespace" });
    }
  }

  async delete(scope: Scope, name: string): Promise<void> {
    if (name === DEFAULT_NAMESPACE) {
      throw new QuiverError("NamespaceProtected", `Namespace "${DEFAULT_NAMESPACE}" cannot be deleted.`, { subject: "namespace", operation: "delete" });
    }
    if (!(await this.#deps.store.deleteNamespace(scope, name))) {
      throw new QuiverError("NamespaceNotFound", `Namespace "${name}" does not exist.`, { subject: "namespace" });
    }
  }

  async list(scope: Scope, query: ListNamespacesQuery): Promise<Page<Namespace>> {
    await this.#ensureDefault(scope);
    return this.#deps.store.listNamespaces(scope, query);
  }

  /** Makes a namespace exist (FunctionGraph creates packages implicitly). */
  async ensure(scope: Scope, name: string): Promise<void> {
    if (await this.#deps.store.getNamespace(scope, name)) return;
    const now = this.#deps.clock.now();
    await this.#deps.store.insertNamespace(scope, { name, description: "", createdAt: now, updatedAt: now }, null);
  }

  async #ensureDefault(scope: Scope): Promise<void> {
    await this.ensure(scope, DEFAULT_NAMESPACE);
  }
}
