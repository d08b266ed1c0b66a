/** Opening a tRPC subscription (signals.live, copy.live) in a test the way the SSE handler does. */

/**
 * Opens the stream `open` makes with an abort signal, as the SSE handler does, and pulls once: the generator starts
 * (and subscribes) on the first pull. `first` is the first item, or null when the stream ended without one; `close`
 * aborts it and ends the generator.
 */
export async function openSubscription<T>(open: (signal: AbortSignal) => Promise<AsyncIterable<T>>) {
  const abort = new AbortController();
  const iterator = (await open(abort.signal))[Symbol.asyncIterator]();
  const first = iterator.next();
  return {
    first: first.then((r) => (r.done ? null : r.value)),
    close: async () => {
      abort.abort();
      await first.catch(() => undefined);
      await iterator.return?.(undefined);
    },
  };
}
