import "server-only";
import { boolean, index, pgEnum, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, prefixedId, tstz, updatedAt } from "./_shared";
import { users } from "./users";

export const notificationPrefs = pgTable("notification_prefs", {
  userId: text()
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  signalEmails: boolean().notNull().default(true),
  digestEmails: boolean().notNull().default(true),
  productEmails: boolean().notNull().default(true),
  updatedAt: updatedAt(),
});

export const emailStatus = pgEnum("email_status", ["queued", "sent", "failed"]);

/** Every email we send is written here first; the email issue adds the Resend sender that drains it. */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: prefixedId("eml"),
    userId: text().references(() => users.id, { onDelete: "set null" }),
    to: text().notNull(),
    kind: text().notNull(),
    subject: text().notNull(),
    /** With each one-time link (verification, reset) as a placeholder: this copy never holds a working token. */
    html: text().notNull(),
    text: text().notNull(),
    /**
     * The live one-time links, AES-256-GCM sealed (src/server/crypto), put back in at send time
     * (services/email `renderForDelivery`); cleared once sent. Null when the email has none.
     */
    oneTimeLinksEnc: text(),
    /**
     * The random value every placeholder of this email carries, chosen when it was rendered: only text carrying it
     * is a placeholder (text written by anyone else, a display name say, is left as written). Kept once the links
     * are cleared, so the admin copy of a sent email still marks where they were. Null when the email has none.
     */
    oneTimeLinkNonce: text(),
    status: emailStatus().notNull().default("queued"),
    createdAt: createdAt(),
    sentAt: tstz(),
  },
  (t) => [index("email_outbox_created_at_idx").on(t.createdAt), index("email_outbox_user_id_idx").on(t.userId)],
);
