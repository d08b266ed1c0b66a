/**
 * exchanges: a follower's exchange connections — the exchanges on offer, adding (the key checked by the exchange),
 * listing and removing their connections (open copies closed first when they say so), and each connection's control
 * centre reads (its followings and open copies, its activity log, and what reconciliation found: the discrepancies,
 * a reconciliation on demand and the one-click close of an orphan). Thin: validate, take the owner from the
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
import { connectionActivity, connectionOverview, listConnectionSummaries, ownConnection } from "@/server/services/exchanges/control-centre";
import { closeOrphan, listDiscrepancies, reconcileNow, type DiscrepancyView } from "@/server/services/exchanges/reconcile";
import { requireStepUp } from "@/server/services/auth/two-factor";

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
  connection: connectionOutput.extend({ lastReconciledAt: z.date().nullable() }),
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
      status: z.enum(["planned", "skipped", "submitted", "filled", "rejected", "cancelled", "held"]),
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

export const discrepancyKind = z.enum(["missed_fill", "unrecorded_order", "orphan_exchange", "orphan_ledger", "dust"]);

/**
 * A discrepancy as a page sees it. The finding's raw data (client order ids, exchange order ids) stays on the
 * server; the page gets the asset and quantity it names in the close dialog, and whether a sale is under way.
 */
export const discrepancyOutput = z.object({
  id: z.string(),
  connectionId: z.string(),
  kind: discrepancyKind,
  symbol: z.string().nullable(),
  detail: z.string(),
  asset: z.string().nullable(),
  quantity: z.string().nullable(),
  status: z.enum(["open", "resolved"]),
  resolution: z.string().nullable(),
  foundAt: z.date(),
  resolvedAt: z.date().nullable(),
  closable: z.boolean(),
  /** A one-click close planned a sale on the exchange; the reconciliation after it resolves the finding. */
  closing: z.boolean(),
});

const text = (v: unknown) => (typeof v === "string" && v ? v : null);
/** The page's view of a service DiscrepancyView (see discrepancyOutput). */
export const discrepancyForPage = (d: DiscrepancyView): z.infer<typeof discrepancyOutput> => ({
  ...d,
  asset: text(d.data.asset),
  quantity: text(d.data.quantity) ?? text(d.data.filled),
  closing: Boolean(d.data.closingPositionId),
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
    .mutation(async ({ ctx, input }) => {
      await requireStepUp(ctx.service); // issue 17: a fresh code before adding exchange keys (2FA accounts only)
      return createConnection(ctx.service, input);
    }),

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

  /** Control centre: what reconciliation found on the connection, newest first; open or resolved when asked. */
  discrepancies: protectedProcedure
    .input(idInput.extend({ status: z.enum(["open", "resolved"], { error: "Choose open or resolved" }).optional() }))
    .output(z.array(discrepancyOutput))
    .query(async ({ ctx, input }) => {
      // Scoped twice: the service filters by the actor, and a connection that is not theirs is NOT_FOUND, not [].
      await ownConnection(ctx.service, input.id);
      return (await listDiscrepancies(ctx.service, { connectionId: input.id, status: input.status })).map(discrepancyForPage);
    }),

  /** Asks for a reconciliation of the connection now (run by its job; what it finds reaches the page live). */
  reconcileNow: protectedProcedure
    .input(idInput)
    .output(z.object({ requested: z.literal(true) }))
    .mutation(({ ctx, input }) => reconcileNow(ctx.service, input.id)),

  /** The one-click close of a discrepancy: "closed" in the ledger now, or "closing" with a sale planned on the exchange. */
  closeOrphan: protectedProcedure
    .input(z.object({ discrepancyId: z.string({ error: "Choose a discrepancy" }).trim().min(1, "Choose a discrepancy").max(64, "That discrepancy id is not valid") }))
    .output(z.union([z.object({ status: z.literal("closed") }), z.object({ status: z.literal("closing"), positionId: z.string() })]))
    .mutation(({ ctx, input }) => closeOrphan(ctx.service, input.discrepancyId)),
});
