/**
 * Instance lifecycle. `idle` covers both a generic stem cell (no key yet) and a warm specialised
 * instance; `busy` covers specialising and running one invocation.
 */
export type InstanceState = "starting" | "idle" | "busy" | "retiring" | "dead";

const LEGAL: Readonly<Record<InstanceState, readonly InstanceState[]>> = {
  starting: ["idle", "retiring", "dead"],
  idle: ["busy", "retiring", "dead"],
  busy: ["idle", "retiring", "dead"],
  retiring: ["dead"],
  dead: [],
};

export class IllegalTransition extends Error {
  constructor(from: InstanceState, to: InstanceState) {
    super(`illegal instance transition ${from} -> ${to}`);
    this.name = "IllegalTransition";
  }
}

/** Returns `to` when the move is legal; throws otherwise, so a pool bug is loud, not silent. */
export function transition(from: InstanceState, to: InstanceState): InstanceState {
  if (!LEGAL[from].includes(to)) throw new IllegalTransition(from, to);
  return to;
}
