// Polling for something a live broker does on its own (retention, flushes, checkpoints): generous bounds, since
// tests share a busy machine, and a failure that says what was last seen.

/**
 * Calls `probe` every `intervalMs` until it returns something other than undefined, and resolves with that; rejects
 * after `timeoutMs` with `what` and the last value `describe` gave.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, intervalMs = 100, describe?: () => unknown): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      const seen = describe ? `; last seen: ${JSON.stringify(await describe())}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
