/**
 * Measurement windows: the server's `Connections` and `Questions` deltas (less the benchmark's own
 * statements and the background load's), the participant's CPU time and the wall time around a
 * piece of work.
 */
import type { Monitor, WriteLoad } from './db.js';
import type { Memory } from './proc.js';

export interface Participant {
  readonly name: 'ours' | 'theirs' | 'floor';
  /** The exporter account in PROCESSLIST. */
  readonly user: string;
  /** CPU time so far, ms: the exporter process's, or (floor) the benchmark process's own. */
  cpuMs(): number;
  memory(): Memory | undefined;
}

export interface Window {
  cpuMs: number;
  connections: number;
  statements: number;
  elapsedMs: number;
}

export const emptyWindow = (): Window => ({ cpuMs: 0, connections: 0, statements: 0, elapsedMs: 0 });

export async function measure(
  monitor: Monitor,
  load: WriteLoad,
  p: Participant,
  acc: Window,
  work: () => Promise<void>,
): Promise<void> {
  const c0 = await monitor.counters();
  const own0 = monitor.sent;
  const load0 = load.sent;
  const cpu0 = p.cpuMs();
  const t0 = performance.now();
  await work();
  const t1 = performance.now();
  const cpu1 = p.cpuMs();
  const load1 = load.sent;
  const c1 = await monitor.counters();
  // The monitor's statements in between, plus the final counters read (which counts itself).
  const own = monitor.sent - own0;
  acc.cpuMs += cpu1 - cpu0;
  acc.elapsedMs += t1 - t0;
  acc.connections += c1.connections - c0.connections;
  acc.statements += c1.questions - c0.questions - own - (load1 - load0);
}

export function benchCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
