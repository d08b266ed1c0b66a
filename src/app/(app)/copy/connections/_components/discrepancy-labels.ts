/** Reconciliation's findings in words (services/exchanges/reconcile.ts), shared by the control centre and the admin view. */
export type DiscrepancyKind = "missed_fill" | "unrecorded_order" | "orphan_exchange" | "orphan_ledger" | "dust";

export const DISCREPANCY_KIND: Record<DiscrepancyKind, string> = {
  missed_fill: "Fill we missed",
  unrecorded_order: "Order we never recorded",
  orphan_exchange: "Position only on the exchange",
  orphan_ledger: "Position only in Tradsy",
  dust: "Dust",
};

/** How a finding was resolved, in words. */
export const resolutionText = (resolution: string | null) =>
  resolution === "recorded" ? "recorded in the ledger" : resolution === "closed" ? "closed" : resolution === "gone" ? "no longer seen" : (resolution ?? "resolved");
