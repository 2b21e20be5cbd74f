import type { ErrorOperation, ErrorSubject, QuiverError } from "../../core/errors.js";

/**
 * How a dialect's error table answers one core code when the answer depends on the error's
 * typed details. Every possible answer is written out as data, so a test can check each one
 * against the vendor's documented list, and nothing reads an error's message.
 */
export interface WireChoice<Wire> {
  /** By the wire parameter the dialect's own validation named (its own spelling). */
  readonly parameter?: Readonly<Record<string, Wire>>;
  /** When the dialect named a parameter that `parameter` does not list. */
  readonly otherParameter?: Wire;
  /** By what the error is about. */
  readonly subject?: Readonly<Partial<Record<ErrorSubject, Wire>>>;
  /** By what was attempted. */
  readonly operation?: Readonly<Partial<Record<ErrorOperation, Wire>>>;
  readonly otherwise: Wire;
}

/** A table entry: one fixed answer, or a choice by the error's details. */
export type WireEntry<Wire> = Wire | { readonly choose: WireChoice<Wire> };

/** Looks a key up among a record's own keys only: a parameter name is whatever the caller sent. */
function own<Wire>(record: Readonly<Partial<Record<string, Wire>>> | undefined, key: string | undefined): Wire | undefined {
  return record !== undefined && key !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The answer for `error`: the most specific detail first (parameter, subject, operation). */
export function chooseWire<Wire>(entry: WireEntry<Wire>, error: QuiverError): Wire {
  if (!isChoice(entry)) return entry;
  const c = entry.choose;
  const byParameter = own(c.parameter, error.parameter) ?? (error.parameter !== undefined ? c.otherParameter : undefined);
  return byParameter ?? own(c.subject, error.subject) ?? own(c.operation, error.operation) ?? c.otherwise;
}

/** Every answer an entry can give (for the tests that pin tables to the vendor's list). */
export function allWires<Wire>(entry: WireEntry<Wire>): Wire[] {
  if (!isChoice(entry)) return [entry];
  const c = entry.choose;
  return [
    ...Object.values(c.parameter ?? {}),
    ...(c.otherParameter !== undefined ? [c.otherParameter] : []),
    ...(Object.values(c.subject ?? {}) as Wire[]),
    ...(Object.values(c.operation ?? {}) as Wire[]),
    c.otherwise,
  ];
}

function isChoice<Wire>(entry: WireEntry<Wire>): entry is { readonly choose: WireChoice<Wire> } {
  return typeof entry === "object" && entry !== null && "choose" in entry;
}
