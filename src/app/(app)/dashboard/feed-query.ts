/**
 * The dashboard feed's query, shared by the server render (which prefetches the first page) and the browser (which
 * continues it), so both address the same cache entry.
 */

/** Finished signals per page ("Load more"); the first page also carries every open signal, so it stays short. */
export const FEED_INPUT = { limit: 10 };

export const nextFeedCursor = (last: { nextCursor: string | null }) => last.nextCursor;
