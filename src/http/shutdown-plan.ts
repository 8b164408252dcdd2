/**
 * When each step of a graceful shutdown happens within `--exporter.shutdown_grace`, measured from the
 * signal: rounds still running at `stopRoundsAtMs` are stopped so that their callers are answered (200
 * with what the round has) before `closeAtMs`, when the listeners and remaining connections close; the
 * pools get what is left up to `graceMs`. The process exits then at the latest.
 */
export interface ShutdownPlan {
  readonly graceMs: number;
  readonly stopRoundsAtMs: number;
  readonly closeAtMs: number;
}

export function shutdownPlan(graceMs: number): ShutdownPlan {
  const g = Math.max(0, graceMs);
  // Time reserved to render and send the answers, and to end the pools (KILL QUERY included).
  const closeReserve = Math.min(300, g / 4);
  const answerReserve = Math.min(700, g / 4);
  const closeAtMs = g - closeReserve;
  return { graceMs: g, stopRoundsAtMs: Math.max(0, closeAtMs - answerReserve), closeAtMs };
}

/** Waits for `p`, at most `ms` (never rejects; the work goes on in the background). */
export async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.then(
      () => {},
      () => {},
    ),
    new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    }),
  ]);
  clearTimeout(timer);
}
