/**
 * A small time-to-live cache for read models that are expensive and may be a few minutes old (admin analytics).
 * Per process: each server replica holds its own, which is fine for figures labelled "as of". The clock is injected
 * so tests can move time; concurrent misses for one key share one load.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => Date = () => new Date(),
    private readonly maxEntries = 50,
  ) {}

  /** The cached value for `key` when younger than the TTL, else `load()`'s (stored with the time it was asked for). */
  async get(key: string, load: () => Promise<V>, opts: { fresh?: boolean } = {}): Promise<{ value: V; at: Date; cached: boolean }> {
    const now = this.clock().getTime();
    const hit = this.entries.get(key);
    if (hit && !opts.fresh && now - hit.at < this.ttlMs) return { value: await hit.value, at: new Date(hit.at), cached: true };
    const value = load();
    this.entries.set(key, { at: now, value });
    // A failed load is not cached: the next call tries again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return { value: await value, at: new Date(now), cached: false };
  }

  clear(): void {
    this.entries.clear();
  }
}
