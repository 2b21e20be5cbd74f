/**
 * What the kill -9 load was told: every acknowledged write, and the writes in flight when the
 * server died (which may or may not have happened). `verify` reads a restarted server and
 * lists every difference: a lost acknowledged write, a version that changed, a gap in SCF's
 * numbering, a function stuck in a transitional state.
 */
import { createHash } from "node:crypto";
import { RwLock } from "./sync.js";

export interface Code {
  readonly marker: string;
  readonly zip: Buffer;
  readonly sha512: string;
}

export function codeOf(marker: string, zip: Buffer): Code {
  return { marker, zip, sha512: createHash("sha512").update(zip).digest("hex") };
}

export interface Head {
  readonly code: Code;
  readonly memoryMb: number;
}

/** One publish request, keyed by its unique description. */
export interface PublishIntent {
  readonly description: string;
  /** What the version must hold: the head when the publish ran (no writer runs beside it). */
  readonly code: Code;
  readonly memoryMb: number;
  /** The version name the server acknowledged; null while unacknowledged. */
  version: string | null;
}

export interface AliasState {
  /** The version the server last acknowledged for this alias; null before its creation was. */
  acked: string | null;
  /** A create or update in flight when the server died. */
  pending: string | null;
  busy: boolean;
}

export class TrackedFunction {
  readonly lock = new RwLock();
  readonly publishes = new Map<string, PublishIntent>();
  /** Version name → description, as first read back; a version never changes. */
  readonly versions = new Map<string, string>();
  readonly aliases = new Map<string, AliasState>();
  /** A code or configuration change in flight when the server died. */
  pending: Partial<Head> | null = null;

  constructor(
    readonly name: string,
    /** Which dialect created it and publishes it: SCF numbers versions, FunctionGraph names them. */
    readonly dialect: "scf" | "fgs",
    public head: Head,
  ) {}

  ackedVersions(): string[] {
    return [...this.publishes.values()].flatMap((p) => (p.version === null ? [] : [p.version]));
  }
}

/** One version as FunctionGraph's version listing shows it (the `latest` item is the head). */
export interface VersionView {
  readonly version: string;
  readonly description: string;
  readonly digest: string;
  readonly memoryMb: number;
}

export interface FunctionView {
  readonly latest: VersionView;
  readonly versions: readonly VersionView[];
  /** SCF's own listing (`ListVersionByFunction`, ascending), without `$LATEST`; null for FunctionGraph-only functions. */
  readonly scfNumbers: readonly string[] | null;
  readonly status: string;
  /** Alias name → version (SCF `ListAliases`). */
  readonly aliases: ReadonlyMap<string, string>;
}

const short = (sha: string): string => sha.slice(0, 12);

/** Every way `view` differs from what `fn` allows; empty when the server kept every promise. */
export function differences(fn: TrackedFunction, view: FunctionView): string[] {
  const problems: string[] = [];
  const at = (text: string): void => void problems.push(`${fn.dialect} function ${fn.name}: ${text}`);

  const heads = [fn.head.code, ...(fn.pending?.code ? [fn.pending.code] : [])];
  if (!heads.some((c) => c.sha512 === view.latest.digest)) {
    at(`head code ${short(view.latest.digest)} is neither the acknowledged ${short(fn.head.code.sha512)} nor one in flight`);
  }
  const memories = [fn.head.memoryMb, ...(fn.pending?.memoryMb === undefined ? [] : [fn.pending.memoryMb])];
  if (!memories.includes(view.latest.memoryMb)) at(`head memory ${view.latest.memoryMb} MB is not one of ${memories.join("/")} MB`);
  const allowed = fn.pending ? ["Active", "UpdateFailed"] : ["Active"];
  if (!allowed.includes(view.status)) at(`status ${view.status} after restart; expected ${allowed.join(" or ")}`);

  const seen = new Set<string>();
  for (const v of view.versions) {
    const intent = fn.publishes.get(v.description);
    if (!intent) {
      at(`version ${v.version} has description "${v.description}", which no publish of this test sent`);
      continue;
    }
    if (seen.has(v.description)) at(`publish "${v.description}" produced two versions`);
    seen.add(v.description);
    if (intent.version !== null && intent.version !== v.version) at(`publish "${v.description}" was acknowledged as version ${intent.version} but is version ${v.version}`);
    const before = fn.versions.get(v.version);
    if (before !== undefined && before !== v.description) at(`version ${v.version} was "${before}" and is now "${v.description}"`);
    if (v.digest !== intent.code.sha512) at(`version ${v.version} holds code ${short(v.digest)}, not the ${short(intent.code.sha512)} it was published with`);
    if (v.memoryMb !== intent.memoryMb) at(`version ${v.version} has ${v.memoryMb} MB, not the ${intent.memoryMb} MB it was published with`);
  }
  const present = new Set(view.versions.map((v) => v.version));
  for (const acked of fn.ackedVersions()) if (!present.has(acked)) at(`acknowledged version ${acked} is gone`);
  for (const [name, description] of fn.versions) if (!present.has(name)) at(`version ${name} ("${description}") was there before and is gone`);

  if (view.scfNumbers !== null) {
    const expected = view.scfNumbers.map((_, i) => String(i + 1));
    if (view.scfNumbers.join(",") !== expected.join(",")) at(`SCF versions are not gap-free: ${view.scfNumbers.join(",")}`);
    const fromFgs = [...present].sort((a, b) => Number(a) - Number(b));
    if (fromFgs.join(",") !== view.scfNumbers.join(",")) at(`SCF lists versions ${view.scfNumbers.join(",")} but FunctionGraph ${fromFgs.join(",")}`);
  }

  for (const [name, version] of view.aliases) {
    // SCF's built-in alias, which this test never changes.
    if (name === "$DEFAULT") {
      if (version !== "$LATEST") at(`alias $DEFAULT points at ${version}, not $LATEST`);
      continue;
    }
    const state = fn.aliases.get(name);
    if (!state) at(`alias ${name} → ${version} was never created by this test`);
    else if (version !== state.acked && version !== state.pending) at(`alias ${name} points at ${version}; acknowledged ${state.acked ?? "(none)"}${state.pending ? `, in flight ${state.pending}` : ""}`);
  }
  for (const [name, state] of fn.aliases) {
    if (state.acked !== null && !view.aliases.has(name)) at(`acknowledged alias ${name} → ${state.acked} is gone`);
  }
  return problems;
}

/** After a clean verification: what the server shows becomes the new acknowledged state. */
export function adopt(fn: TrackedFunction, view: FunctionView): void {
  const code = [fn.head.code, fn.pending?.code].find((c) => c?.sha512 === view.latest.digest) ?? fn.head.code;
  fn.head = { code, memoryMb: view.latest.memoryMb };
  fn.pending = null;
  for (const v of view.versions) {
    fn.versions.set(v.version, v.description);
    const intent = fn.publishes.get(v.description);
    if (intent) intent.version = v.version;
  }
  // Unacknowledged publishes that did not happen never will.
  for (const [description, intent] of fn.publishes) if (intent.version === null) fn.publishes.delete(description);
  for (const name of [...fn.aliases.keys()]) {
    const now = view.aliases.get(name);
    if (now === undefined) fn.aliases.delete(name);
    else fn.aliases.set(name, { acked: now, pending: null, busy: false });
  }
}
