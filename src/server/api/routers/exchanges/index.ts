/**
 * exchanges: a follower's exchange connections — the exchanges on offer, adding (the key checked by the exchange),
 * listing and removing their connections (open copies closed first when they say so), and each connection's control
 * centre reads (its followings and open copies, and its activity log). Thin: validate, take the owner from the
 * session, call the services (src/server/services/exchanges).
 *
 * INVARIANT: no credential leaves through here. Every answer that carries a connection is shaped by
 * `connectionOutput`, which lists the fields a page may see (the key's first 4 characters, never the key, secret,
 * passphrase or sealed blob), so a column added to the service's view later stays on the server.
 */
import "server-only";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";
import { cursorSchema } from "@/lib/validation/copy";
import { createConnectionInput, removeConnectionInput } from "@/lib/validation/exchanges";
import { createConnection, listSupportedExchanges, removeConnection } from "@/server/services/exchanges/connections";
import { connectionActivity, connectionOverview, listConnectionSummaries } from "@/server/services/exchanges/control-centre";

const connectionId = z.string({ error: "Choose a connection" }).trim().min(1, "Choose a connection").max(64, "That connection id is not valid");
const idInput = z.object({ id: connectionId });

const providerRef = z.object({ id: z.string(), slug: z.string(), displayName: z.string() });

const connectionOutput = z.object({
  id: z.string(),
  exchangeId: z.string(),
  label: z.string(),
  keyHint: z.string().max(4),
  sandbox: z.boolean(),
  status: z.enum(["unverified", "active", "error", "removing", "removed"]),
  statusReason: z.string().nullable(),
  permissions: z
    .object({
      canTrade: z.boolean().nullable(),
      canWithdraw: z.boolean().nullable(),
      ipRestricted: z.boolean().nullable(),
      checkedVia: z.string(),
      warnings: z.array(z.string()),
    })
    .nullable(),
  lastCheckedAt: z.date().nullable(),
});

const summaryOutput = connectionOutput.extend({ followings: z.number(), openCopies: z.number() });

const overviewOutput = z.object({
  connection: connectionOutput,
  followings: z.array(z.object({ provider: providerRef, enabled: z.boolean(), pausedReason: z.string().nullable(), venue: z.string(), openPositions: z.number() })),
  positions: z.array(
    z.object({
      id: z.string(),
      provider: providerRef,
      symbol: z.string(),
      side: z.enum(["long", "short"]),
      quantity: z.string(),
      avgEntry: z.string(),
      markPrice: z.string(),
      unrealizedPnl: z.string(),
      fees: z.string(),
      openedAt: z.date(),
    }),
  ),
});

const activityOutput = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      provider: providerRef,
      symbol: z.string(),
      side: z.enum(["buy", "sell"]),
      leg: z.enum(["entry", "tp", "stop", "close", "manual"]),
      status: z.enum(["planned", "skipped", "submitted", "filled", "rejected", "cancelled"]),
      reason: z.string().nullable(),
      quantity: z.string(),
      requestedPrice: z.string().nullable(),
      fillPrice: z.string().nullable(),
      fee: z.string(),
      venueOrderId: z.string().nullable(),
      createdAt: z.date(),
      filledAt: z.date().nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const removeOutput = z.union([
  z.object({ needsDecision: z.literal(true), openCopies: z.number() }),
  z.object({ removed: z.literal(true), status: z.enum(["removed", "removing"]), closing: z.number() }),
]);

export const exchangesRouter = createTRPCRouter({
  /** The exchanges a connection can be made to (the local test exchange first, outside production). */
  supported: protectedProcedure
    .input(z.void())
    .output(z.array(z.object({ id: z.string(), name: z.string(), hasSandbox: z.boolean(), credentials: z.array(z.enum(["apiKey", "secret", "password"])) })))
    .query(() => listSupportedExchanges()),

  list: protectedProcedure
    .input(z.void())
    .output(z.array(summaryOutput))
    .query(({ ctx }) => listConnectionSummaries(ctx.service)),

  /** A refused key is an answer (status "error" with the reason), not an error: the page shows it like the list does. */
  create: protectedProcedure
    .input(createConnectionInput)
    .output(connectionOutput)
    .mutation(({ ctx, input }) => createConnection(ctx.service, input)),

  remove: protectedProcedure
    .input(removeConnectionInput.extend({ id: connectionId }))
    .output(removeOutput)
    .mutation(({ ctx, input }) => removeConnection(ctx.service, input.id, { closeCopies: input.closeCopies })),

  /** Control centre: the connection, the followings copying to it and the copies open on it. */
  overview: protectedProcedure
    .input(idInput)
    .output(overviewOutput)
    .query(({ ctx, input }) => connectionOverview(ctx.service, input.id)),

  /** Control centre: what the engine did on the connection, newest first. */
  activity: protectedProcedure
    .input(idInput.extend({ cursor: cursorSchema.optional(), limit: z.number().int().min(1, "Ask for at least 1 row").max(100, "At most 100 rows a page").default(25) }))
    .output(activityOutput)
    .query(({ ctx, input }) => connectionActivity(ctx.service, input.id, { cursor: input.cursor, limit: input.limit })),
});
