// How a bench child process ends: when the parent closes its stdin (stopChild in bench/stack.ts), or after a time limit
// should the parent die without doing so. `close` runs once, then the process exits 0.

export function exitWithParent(close: () => Promise<unknown>, maxMinutes: number): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await close();
    process.exit(0);
  };
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
  setTimeout(() => void stop(), maxMinutes * 60_000).unref();
}
