import { deliveryStates, type DeliveryState, type PostGroup } from '../../../src-shared/posts';

/**
 * The set of states a group's deliveries are in, as `group_summaries.states` keeps it (migration
 * 019): one bit per state, in the order of the contract's `deliveryStates` (draft 1, scheduled 2,
 * publishing 4 … paused 128). A group's status is a function of that set, so every status is
 * worked out once here, for all 256 sets, and a page looks it up.
 */

export type StateSet = number;

/** A state's bit. */
export const stateBit = (state: DeliveryState): StateSet => 1 << deliveryStates.indexOf(state);

/** The bits of these states. */
export const stateSetOf = (states: Iterable<DeliveryState>): StateSet => {
  let set = 0;
  for (const s of states) set |= stateBit(s);
  return set;
};

/** The states in a set, in the contract's order. */
export const statesIn = (set: StateSet): DeliveryState[] => deliveryStates.filter((s) => (set & stateBit(s)) !== 0);

/** One word for a group, from the set of states its deliveries are in (the rule of SPEC §5, in words). */
export function statusOfStates(states: ReadonlySet<DeliveryState>): PostGroup['status'] {
  const only = (s: DeliveryState) => states.size === 1 && states.has(s);
  for (const s of ['draft', 'scheduled', 'published', 'cancelled', 'paused'] as const) if (only(s)) return s;
  if (states.has('publishing')) return 'publishing';
  if (states.has('needs_attention')) return 'needs_attention';
  if (states.has('published')) return 'partially_published';
  if (states.has('failed')) return 'failed';
  return states.has('scheduled') ? 'scheduled' : 'cancelled';
}

const STATUS_OF_SET: readonly PostGroup['status'][] = Array.from({ length: 1 << deliveryStates.length }, (_, set) =>
  statusOfStates(new Set(statesIn(set))),
);

/** The status of a group whose deliveries are in this set of states. */
export const statusOfSet = (set: StateSet): PostGroup['status'] => STATUS_OF_SET[set]!;
