/**
 * The vocabulary of the review that follows a restore (services/restore/holds.ts): the kinds of work a restore holds,
 * their labels, and the admin's release/cancel input. Pure: the service, the router and the Backups page share it.
 */
import { z } from "zod";

export const HELD_KINDS = ["jobs", "emails", "channels", "fanouts", "orders"] as const;
export type HeldKind = (typeof HELD_KINDS)[number];

export const HELD_KIND_LABEL: Record<HeldKind, { label: string; released: string; cancelled: string }> = {
  jobs: { label: "Job runs", released: "queued again and run", cancelled: "cancelled" },
  emails: { label: "Emails", released: "queued again and sent", cancelled: "never sent (marked failed)" },
  channels: { label: "Channel deliveries", released: "queued again and sent", cancelled: "cancelled" },
  fanouts: {
    label: "Copy fan-outs",
    // Counted as a re-drive: its live orders start with one attempt, so each is looked up on the exchange first.
    released: "re-driven by the copy sweeper; each live order is looked up on its exchange by client order id before it is placed",
    cancelled: "marked done, not copied",
  },
  orders: { label: "Planned copy orders", released: "placed (looked up by client order id first)", cancelled: "cancelled, never placed" },
};

const heldId = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_:-]+$/, "Not an id");

/** Some held rows by id, or every held row of a kind. */
export const heldSelectionSchema = z.union([
  z.object({ kind: z.enum(HELD_KINDS), ids: z.array(heldId).min(1, "Choose at least one item").max(500, "At most 500 at a time") }).strict(),
  z.object({ kind: z.enum(HELD_KINDS), all: z.literal(true) }).strict(),
]);
export type HeldSelectionInput = z.infer<typeof heldSelectionSchema>;
