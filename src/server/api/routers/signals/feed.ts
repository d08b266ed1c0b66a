/**
 * `signals.feed`: the signed-in viewer's dashboard feed (see `feedFor`): the first page carries every followed
 * provider's open and pending signals, then finished signals newest first, `limit` at a time from `cursor`, for
 * `useInfiniteQuery`. The output is listed field by field, so nothing is sent that is not named here.
 */
import "server-only";
import { z } from "zod";
import { protectedProcedure } from "@/server/api/trpc";
import { feedFor, parseFeedCursor } from "@/server/services/signals/views";

const decimal = z.string();

const feedEntry = z.object({
  visibility: z.literal("full"),
  id: z.string(),
  providerId: z.string(),
  providerName: z.string(),
  providerSlug: z.string(),
  number: z.number().int(),
  symbol: z.string(),
  side: z.enum(["long", "short"]),
  entryType: z.enum(["market", "limit"]),
  entryPrice: decimal,
  initialStop: decimal.nullable(),
  stopLoss: decimal.nullable(),
  takeProfits: z.array(z.object({ price: decimal, share: decimal })),
  note: z.string(),
  source: z.enum(["ui", "api", "tradingview", "demo", "strategy"]),
  status: z.enum(["pending", "open", "closed", "cancelled", "expired"]),
  publishedAt: z.date(),
  expiresAt: z.date().nullable(),
  filledAt: z.date().nullable(),
  fillPrice: decimal.nullable(),
  remaining: decimal,
  closedAt: z.date().nullable(),
  exitPrice: decimal.nullable(),
  exitReason: z.string().nullable(),
  resultPct: decimal.nullable(),
  resultR: decimal.nullable(),
  hash: z.string(),
  /** The change that places the row and when it happened (src/lib/feed `feedEvent`). */
  event: z.enum(["published", "filled", "closed", "cancelled", "expired"]),
  eventAt: z.date(),
});

export const feedOutput = z.object({
  open: z.array(feedEntry).nullable(),
  openMore: z.array(z.object({ providerId: z.string(), providerName: z.string(), providerSlug: z.string(), more: z.number().int() })),
  recent: z.array(feedEntry),
  nextCursor: z.string().nullable(),
});

export const feedInput = z.object({
  limit: z.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(120, "That feed position is not valid")
    .refine((c) => parseFeedCursor(c) !== null, "That feed position is not valid")
    .nullish(),
});

export const feedProcedure = protectedProcedure
  .input(feedInput)
  .output(feedOutput)
  .query(({ ctx, input }) => feedFor({ id: ctx.user.id, role: ctx.user.role }, input));
