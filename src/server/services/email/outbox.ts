/**
 * Email outbox: every email is rendered and written to `email_outbox` inside the caller's transaction, so an
 * email exists exactly when the change that caused it committed. A sender (Resend, added by the email issue)
 * drains queued rows; in embedded mode admins read them at /admin/emails.
 */
import "server-only";
import { render } from "@react-email/render";
import type { ReactElement } from "react";
import type { Executor } from "@/server/db";
import { emailOutbox } from "@/server/db/schema";

export interface QueueEmailInput {
  to: string;
  userId?: string | null;
  kind: string;
  subject: string;
  template: ReactElement;
}

export async function queueEmail(tx: Executor, input: QueueEmailInput): Promise<string> {
  const [html, text] = await Promise.all([render(input.template), render(input.template, { plainText: true })]);
  const [row] = await tx
    .insert(emailOutbox)
    .values({ to: input.to, userId: input.userId ?? null, kind: input.kind, subject: input.subject, html, text })
    .returning({ id: emailOutbox.id });
  return row!.id;
}
