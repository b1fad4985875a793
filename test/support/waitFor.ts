/** Polls until the check returns a truthy value; fails with the last value so a timeout says what was seen. */
export async function waitFor<T>(check: () => T | Promise<T>, options: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Listens on a free loopback port and returns the base URL (tests use real HTTP, never inject). */
export async function listenOnFreePort(app: { listen(options: { host: string; port: number }): Promise<string> }): Promise<string> {
  return (await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
}
