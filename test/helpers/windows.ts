// Counting arrivals the way upstream's limit does: the most timestamps inside any one window.
// Shared by the pacer tests (one process, fake clock) and the replica tests (several, real Redis, the simulator's log).

/** Most arrivals within any window of `windowMs` (half-open, as the simulator's hard limit counts). */
export function mostInWindow(arrivals: readonly number[], windowMs: number): number {
  const at = [...arrivals].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < at.length; j++) {
    while ((at[j] as number) - (at[i] as number) >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}
