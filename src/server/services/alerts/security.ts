/**
 * Security alerts to the account owner (emails/security-alert.tsx): the password changed or reset, the email address
 * changed (the product cannot change an address yet: the reason is ready for it), an API key created, and a sign-in
 * from a new device (detected by the security issue, not here). Transactional: sent whatever the owner's email
 * choices. Queued inside the transaction that makes the change, so the email exists exactly when the change does.
 */
import "server-only";
import { createElement } from "react";
import { eq } from "drizzle-orm";
import SecurityAlert, { securityAlertSubject, type SecurityAlertReason } from "@emails/security-alert";
import type { Executor } from "@/server/db";
import { users } from "@/server/db/schema";
import { queueEmail } from "@/server/services/email/outbox";
import type { ServiceContext } from "@/server/services/context";
import { formatUtcDateTime } from "@/lib/format/dates";

/** Where the owner acts if it was not them: the reset page for password matters, the settings otherwise. */
const ACTION_PATH: Record<SecurityAlertReason, string> = {
  password_changed: "/reset",
  password_reset: "/reset",
  email_changed: "/settings",
  api_key_created: "/settings",
  new_device_sign_in: "/reset",
  two_factor_enabled: "/settings/security",
  two_factor_disabled: "/settings/security",
  recovery_codes_regenerated: "/settings/security",
  recovery_code_used: "/settings/security",
  two_factor_reset: "/settings/security",
  // The account is gone: nothing to act on in it.
  account_deleted: "/",
};

/** Queues the alert to `userId`'s address in the caller's transaction (nothing when the account is gone). */
export async function queueSecurityAlert(
  tx: Executor,
  ctx: Pick<ServiceContext, "ip" | "now" | "baseUrl">,
  userId: string,
  reason: SecurityAlertReason,
  detail?: string,
): Promise<void> {
  const [owner] = await tx.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, userId));
  if (!owner) return;
  await queueEmail(tx, {
    to: owner.email,
    userId,
    kind: `security_${reason}`,
    subject: securityAlertSubject(reason),
    template: createElement(SecurityAlert, {
      name: owner.name ?? "there",
      reason,
      when: formatUtcDateTime(ctx.now),
      ...(ctx.ip ? { ip: ctx.ip } : {}),
      ...(detail ? { detail } : {}),
      actionUrl: `${ctx.baseUrl}${ACTION_PATH[reason]}`,
    }),
  });
}
