/**
 * Group Replication MEMBER_STATE as a number, for alerting (`!= 1`) and graphs. Documented in
 * docs/mysql8.md; the same numbers as queries/examples/group_replication_member.yaml. The numbers
 * never change meaning; new states would get new numbers.
 */
export const MEMBER_STATES: Readonly<Record<string, number>> = Object.freeze({
  ONLINE: 1,
  RECOVERING: 2,
  OFFLINE: 3,
  ERROR: 4,
  UNREACHABLE: 5,
});

/** The state's number; undefined for an empty or unknown state (no sample rather than a wrong one). */
export function memberStateNumber(state: string): number | undefined {
  const key = state.trim().toUpperCase();
  return Object.hasOwn(MEMBER_STATES, key) ? MEMBER_STATES[key] : undefined;
}
