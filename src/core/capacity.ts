/**
 * Capacity, vendor-neutral: instances kept warm for a version or alias (SCF provisioned
 * concurrency, FunctionGraph reserved instances), a cap on a function's concurrent executions
 * (SCF reserved concurrency, FunctionGraph max instances) and an account's total per namespace
 * (SCF PutTotalConcurrencyConfig). Pure: the counts a schedule asks for at a time are computed
 * here from the clock's value, never by reading a clock.
 */
import type { HandlerConvention } from "./invoke.js";
import type { Scope } from "./model.js";
import { latestFireBetween } from "./schedule.js";
import type { Schedule } from "./triggers.js";

/** A scheduled change: from each fire time of `schedule` on, `count` instances are kept. */
export interface ScheduledCapacity {
  readonly name: string;
  readonly schedule: Schedule;
  readonly count: number;
  /** Fire times before this (epoch ms) do not count (FunctionGraph `start_time`); null: no bound. */
  readonly startsAt: number | null;
  /** After this the change no longer applies (FunctionGraph `expired_time`); null: no bound. */
  readonly endsAt: number | null;
}

/** What a version or alias keeps warm. */
export interface ProvisionedSettings {
  /** Instances kept until a scheduled change fires. */
  readonly count: number;
  readonly schedules: readonly ScheduledCapacity[];
  /**
   * The instances are loaded for the calls of this dialect (a warm instance carries one
   * vendor's context), with these fixed context values: the ones the account's calls bring.
   */
  readonly convention: HandlerConvention;
  readonly contextValues: Readonly<Record<string, string>>;
  /** Wire settings Quiver keeps and shows back but does not act on (SCF ProvisionedType, FunctionGraph idle_mode), by dialect. */
  readonly extras: Readonly<Record<string, unknown>>;
}

/** What a qualifier of a provisioned config names: versions and aliases (the head is never provisioned). */
export type ProvisionedQualifierKind = "version" | "alias";

export interface ProvisionedConfig {
  readonly functionId: string;
  readonly scope: Scope;
  readonly namespace: string;
  readonly functionName: string;
  readonly qualifier: string;
  readonly qualifierKind: ProvisionedQualifierKind;
  readonly settings: ProvisionedSettings;
  readonly createdAt: number;
  /** Scheduled changes count from this time on: a put starts from its own count. */
  readonly updatedAt: number;
}

/**
 * A cap on the executions of one function running at once, in the unit its vendor sets it:
 * memory (SCF `ReservedConcurrencyMem`: executions × their memory) or instances (FunctionGraph
 * `max_instance_num`). Zero refuses every call.
 */
export type ConcurrencyCap = { readonly unit: "memoryMb"; readonly value: number } | { readonly unit: "instances"; readonly value: number };

export interface FunctionConcurrency {
  readonly functionId: string;
  readonly scope: Scope;
  readonly namespace: string;
  readonly cap: ConcurrencyCap;
}

/** SCF's total concurrency memory of a namespace when none was put (its documented example and default quota). */
export const DEFAULT_TOTAL_CONCURRENCY_MB = 128_000;

/**
 * The instances a config asks for at `now`: the count of the scheduled change that fired last
 * (since the config was put, within its window), else the config's own count.
 */
export function desiredCount(config: Pick<ProvisionedConfig, "settings" | "updatedAt">, now: number): number {
  let latest = -1;
  let count = config.settings.count;
  for (const change of config.settings.schedules) {
    if (change.endsAt !== null && now > change.endsAt) continue;
    const from = Math.max(config.updatedAt, change.startsAt ?? 0);
    const fired = latestFireBetween(change.schedule, from, now);
    if (fired !== null && fired >= latest) {
      latest = fired;
      count = change.count;
    }
  }
  return count;
}

/** The most instances a config may ask for at any time: what the machine must have room for. */
export function peakCount(settings: Pick<ProvisionedSettings, "count" | "schedules">): number {
  return Math.max(settings.count, ...settings.schedules.map((change) => change.count));
}

/** Executions of `memoryMb` each that fit under a cap. */
export function capInExecutions(cap: ConcurrencyCap, memoryMb: number): number {
  return cap.unit === "instances" ? cap.value : Math.floor(cap.value / Math.max(1, memoryMb));
}

/** A cap as memory (SCF's unit): a cap in instances is that many executions of `memoryMb`. */
export function capInMemory(cap: ConcurrencyCap, memoryMb: number): number {
  return cap.unit === "memoryMb" ? cap.value : cap.value * memoryMb;
}
