/**
 * Who wants which non-transactional email. A user without a `notification_prefs` row has every choice on (the
 * defaults), and a follower without a `provider_alert_prefs` row gets both alerts of that provider. Transactional
 * email (verification, reset, receipts, security) is never checked here: it is sent whatever these say.
 */
import "server-only";
import { and, eq } from "drizzle-orm";
import type { Executor } from "@/server/db";
import { notificationPrefs, providerAlertPrefs } from "@/server/db/schema";

export type EmailChoice =
  | { kind: "new_signal" | "signal_closed"; providerId: string }
  | { kind: "digest" }
  | { kind: "product" }
  | { kind: "copy" };

/** Whether `userId` wants this email now (read inside the transaction that queues it). */
export async function emailAllowed(tx: Executor, userId: string, choice: EmailChoice): Promise<boolean> {
  const [prefs] = await tx.select().from(notificationPrefs).where(eq(notificationPrefs.userId, userId));
  switch (choice.kind) {
    case "digest":
      return prefs?.digestEmails ?? true;
    case "product":
      return prefs?.productEmails ?? true;
    case "copy":
      return prefs?.copyEmails ?? true;
    case "new_signal":
    case "signal_closed": {
      if (prefs && !prefs.signalEmails) return false;
      const [own] = await tx
        .select()
        .from(providerAlertPrefs)
        .where(and(eq(providerAlertPrefs.userId, userId), eq(providerAlertPrefs.providerId, choice.providerId)));
      if (!own) return true;
      return choice.kind === "new_signal" ? own.newSignal : own.signalClosed;
    }
  }
}
