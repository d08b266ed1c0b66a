/**
 * The most calls one tRPC request may carry. The server refuses a larger batch with a 400 (one request must not run a
 * mutation hundreds of times, each with its audit row and side effects); the browser client splits at the same size.
 */
export const MAX_BATCH = 20;
