import { randomInt } from "node:crypto";

/**
 * A small seeded PRNG (sfc32), so every fuzz and kill schedule can be replayed: the suite
 * prints its seed, and `QUIVER_RELIABILITY_SEED=<seed>` runs the same requests again.
 */
export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 15; i += 1) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    this.#a >>>= 0;
    this.#b >>>= 0;
    this.#c >>>= 0;
    this.#d >>>= 0;
    const t = (this.#a + this.#b + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max] (both included). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(0, items.length - 1)] as T;
  }

  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    const total = choices.reduce((sum, [w]) => sum + w, 0);
    let roll = this.next() * total;
    for (const [weight, value] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return (choices[choices.length - 1] as readonly [number, T])[1];
  }

  /** `length` characters drawn from `alphabet` (code points, so astral characters stay whole). */
  string(length: number, alphabet: string): string {
    const chars = [...alphabet];
    let out = "";
    for (let i = 0; i < length; i += 1) out += this.pick(chars);
    return out;
  }

  /** A new generator whose stream depends on this one's seed and a label, not on how much this one was used. */
  static derive(seed: number, label: string): Prng {
    let h = seed >>> 0;
    for (const ch of label) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    return new Prng(h);
  }
}

/** The run's seed: `QUIVER_RELIABILITY_SEED` or a fresh random one. */
export function suiteSeed(): number {
  const given = process.env["QUIVER_RELIABILITY_SEED"];
  if (given === undefined || given === "") return randomInt(0, 2 ** 31);
  if (!/^\d{1,10}$/.test(given)) throw new Error(`QUIVER_RELIABILITY_SEED must be a whole number, not "${given}"`);
  return Number(given) >>> 0;
}
