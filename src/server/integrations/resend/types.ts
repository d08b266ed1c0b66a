/**
 * What any email provider adapter offers the outbox drain (services/email/delivery.ts): send one email, get the
 * provider's message id back, or an `EmailSendError` that says whether trying again can help and when.
 */
import "server-only";

/** One email as the sender sends it: the recipient's copy, links included. */
export interface EmailMessage {
  /** The outbox row id: passed to the provider as its idempotency key, so a retried send goes out once. */
  idempotencyKey: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers: List-Unsubscribe and List-Unsubscribe-Post on every non-transactional email. */
  headers: Record<string, string>;
}

export interface EmailSender {
  readonly name: string;
  /**
   * Sends one email; resolves with the provider's message id once the provider accepted it. Throws
   * `EmailSendError` when it did not (anything else thrown is a bug, treated by the drain like a crash).
   */
  send(email: EmailMessage): Promise<{ providerMessageId: string }>;
  /**
   * When the provider's rate limit next lets a request through (epoch ms; 0 or past: now), as its last answers said.
   * The drain stops its run instead of waiting inside `send` when this is far off.
   */
  readyAt?(): number;
}

/**
 * A send the provider did not accept. `retryable`: a rate limit (429), a server error (5xx), no answer at all, or a
 * configuration problem an operator can fix (401/403); `retryAfterMs`: the least the provider asked us to wait.
 * Otherwise the email itself was refused (400/422: a bad address, say) and sending it again cannot help.
 */
export class EmailSendError extends Error {
  override readonly name = "EmailSendError";
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null,
    readonly retryAfterMs: number | null = null,
    /** A 429: the provider's rate limit, not this email's fault (the drain does not count it as a failed attempt). */
    readonly rateLimited = false,
  ) {
    super(message);
  }
}
