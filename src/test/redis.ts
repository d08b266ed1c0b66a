/**
 * A Redis for the store tests: the one on REDIS_URL, else 127.0.0.1:6379. Tests needing it are skipped (with a
 * message) when none answers.
 */
import { Redis } from "ioredis";

export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A connected client when a Redis answers within a second, else null. */
export async function redisOrNull(url = TEST_REDIS_URL): Promise<Redis | null> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch {
    client.disconnect();
    return null;
  }
}
