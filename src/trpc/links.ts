/**
 * How the browser's tRPC client reaches /api/trpc (src/trpc/react.tsx), apart from React so tests can drive it.
 * - Subscriptions: server-sent events (httpSubscriptionLink).
 * - Mutations: plain batches (httpBatchLink). A streamed answer starts with HTTP 200 before any call has run, so
 *   the route's responseMeta sees no errors: a rate-limited mutation would answer 200 with the refusal inside the
 *   stream and no Retry-After. Plain batches answer once every call has run, with 429 and Retry-After.
 * - Queries: streamed batches (httpBatchStreamLink), each answer shown as soon as it is ready.
 * Each batch carries at most MAX_BATCH calls: the server refuses larger ones (see the route).
 */
import { httpBatchLink, httpBatchStreamLink, httpSubscriptionLink, splitLink, type TRPCLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";
import { MAX_BATCH } from "./batch";

export interface TransportOptions {
  url?: string;
  /** Tests: where requests go instead of the network. */
  fetch?: typeof globalThis.fetch;
}

export function transportLinks({ url = "/api/trpc", fetch }: TransportOptions = {}): TRPCLink<AppRouter> {
  return splitLink({
    condition: (op) => op.type === "subscription",
    true: httpSubscriptionLink({ url, transformer: superjson }),
    false: splitLink({
      condition: (op) => op.type === "mutation",
      true: httpBatchLink({ url, transformer: superjson, maxItems: MAX_BATCH, fetch }),
      false: httpBatchStreamLink({ url, transformer: superjson, maxItems: MAX_BATCH, fetch }),
    }),
  });
}
