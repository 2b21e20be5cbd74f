import { peakCount, type ConcurrencyCap, type FunctionConcurrency, type ProvisionedConfig, type ProvisionedSettings } from "../capacity.js";
import { QuiverError } from "../errors.js";
import { LATEST } from "../model.js";
import type { QualifierFacts } from "./triggers.js";

/**
 * A provisioned config of one function with the memory of each instance it keeps: its
 * version's, or for an alias its main version's (0 when that cannot be read).
 */
export interface SizedProvisioned {
  readonly qualifier: string;
  readonly settings: Pick<ProvisionedSettings, "count" | "schedules">;
  readonly memoryMb: number;
}

/** What a store reads, under its lock, before it puts a provisioned config. */
export interface ProvisionedPutState {
  /** Whether the config's qualifier names a version or an alias of the function. */
  readonly qualifier: QualifierFacts;
  /** Every other provisioned config this store holds, of every account: each node keeps them all. */
  readonly others: readonly Pick<ProvisionedConfig, "settings">[];
  /** The function's cap on concurrent executions (read under the function's lock), if it has one. */
  readonly cap: ConcurrencyCap | null;
  /** The function's other configs, sized. */
  readonly siblings: readonly SizedProvisioned[];
  /** The memory of each instance the config being put keeps. */
  readonly memoryMb: number;
}

/**
 * A provisioned config may name a published version or an alias, never the head (SCF refuses
 * `$LATEST`: a version's code never changes under its warm instances). The instances every
 * config may ask for at once (scheduled changes included) must fit in what the machine may run
 * (`--max-instances`), or some would never start, and the function's configs together must fit
 * in its reserved concurrency, or calls to its warm instances would be refused. Returns the
 * config with its qualifier's kind.
 */
export function decideProvisionedPut(config: ProvisionedConfig, state: ProvisionedPutState, machineInstances: number): ProvisionedConfig {
  if (config.qualifier === LATEST) {
    throw new QuiverError("LatestProtected", "Provisioned concurrency needs a published version or an alias; $LATEST cannot have any.", { subject: "qualifier" });
  }
  if (!state.qualifier.isVersion && !state.qualifier.isAlias) {
    throw new QuiverError("VersionNotFound", `Qualifier "${config.qualifier}" is neither a version nor an alias of function "${config.functionName}".`, { subject: "qualifier" });
  }
  const asked = peakCount(config.settings);
  const taken = state.others.reduce((sum, other) => sum + peakCount(other.settings), 0);
  if (taken + asked > machineInstances) {
    throw new QuiverError(
      "CapacityExceedsMachine",
      `${asked} provisioned instances cannot be kept: this machine runs at most ${machineInstances} instances (--max-instances) and other provisioned configs already ask for ${taken}, so at most ${Math.max(0, machineInstances - taken)} are left.`,
    );
  }
  if (state.cap !== null) {
    const all = [...state.siblings, { qualifier: config.qualifier, settings: config.settings, memoryMb: state.memoryMb }];
    const needed = provisionedInCapUnits(state.cap, all);
    if (needed > state.cap.value) {
      throw new QuiverError(
        "ProvisionedOverReserved",
        `${asked} provisioned instances of "${config.qualifier}" would take function "${config.functionName}"'s provisioned concurrency to ${describeAmount(state.cap, needed)} (${describeConfigs(all)}), over its reserved concurrency of ${describeAmount(state.cap, state.cap.value)}: lower the provisioned counts or raise the reserved concurrency first.`,
      );
    }
  }
  return { ...config, qualifierKind: state.qualifier.isVersion ? "version" : "alias" };
}

/**
 * A function's cap may not fall below what its provisioned configs keep, in the cap's own unit:
 * memory (SCF, instances × their memory) or instances (FunctionGraph). Scheduled changes count
 * at their peak, as the machine check counts them: the warm instances of a peak must be callable.
 */
export function checkCapCoversProvisioned(cap: ConcurrencyCap, configs: readonly SizedProvisioned[], functionName: string): void {
  const needed = provisionedInCapUnits(cap, configs);
  if (needed > cap.value) {
    throw new QuiverError(
      "ProvisionedOverReserved",
      `A reserved concurrency of ${describeAmount(cap, cap.value)} is less than the ${describeAmount(cap, needed)} function "${functionName}"'s provisioned concurrency keeps (${describeConfigs(configs)}): lower or delete the provisioned configs first.`,
    );
  }
}

/** What provisioned configs keep, in a cap's unit. */
function provisionedInCapUnits(cap: ConcurrencyCap, configs: readonly SizedProvisioned[]): number {
  return configs.reduce((sum, c) => sum + peakCount(c.settings) * (cap.unit === "memoryMb" ? c.memoryMb : 1), 0);
}

function describeAmount(cap: ConcurrencyCap, amount: number): string {
  return cap.unit === "memoryMb" ? `${amount} MB` : `${amount} instances`;
}

function describeConfigs(configs: readonly SizedProvisioned[]): string {
  return configs.map((c) => `"${c.qualifier}": ${peakCount(c.settings)} × ${c.memoryMb} MB`).join(", ");
}

/** The memory (MB) a cap reserves out of its namespace's total; caps counted in instances reserve none. */
export function reservedMemory(cap: ConcurrencyCap): number {
  return cap.unit === "memoryMb" ? cap.value : 0;
}

/** What a store reads, under its lock, before it puts a function's concurrency cap. */
export interface ReservedPutState {
  /** The caps of the namespace's other functions. */
  readonly others: readonly Pick<FunctionConcurrency, "cap">[];
  /** The namespace's total concurrency memory (MB). */
  readonly totalMb: number;
}

/** The memory a namespace's functions reserve may not exceed the account's total for it. */
export function checkReservedPut(cap: ConcurrencyCap, state: ReservedPutState): void {
  const others = state.others.reduce((sum, other) => sum + reservedMemory(other.cap), 0);
  if (others + reservedMemory(cap) > state.totalMb) {
    throw new QuiverError(
      "ReservedOverTotal",
      `Reserving ${cap.value} MB would take the namespace to ${others + cap.value} MB of reserved concurrency, over its total of ${state.totalMb} MB (other functions reserve ${others} MB).`,
    );
  }
}

/** A namespace's total may not fall below what its functions already reserve. */
export function checkTotalPut(totalMb: number, caps: readonly Pick<FunctionConcurrency, "cap">[]): void {
  const reserved = caps.reduce((sum, other) => sum + reservedMemory(other.cap), 0);
  if (totalMb < reserved) {
    throw new QuiverError("TotalBelowReserved", `A total of ${totalMb} MB is less than the ${reserved} MB the namespace's functions already reserve.`);
  }
}
