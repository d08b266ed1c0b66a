/** The Resend email adapter (production sender). The outbox drain reaches it through services/email/delivery.ts. */
import "server-only";
export { ResendSender, type ResendSenderOptions } from "./sender";
export { EmailSendError, type EmailMessage, type EmailSender } from "./types";
