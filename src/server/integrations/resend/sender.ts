/**
 * The Resend adapter: sends one outbox email per request through the official SDK (`emails.send`), with the outbox
 * row id as its `Idempotency-Key` (Resend keeps a key 24 h: a retried or re-driven send of the same row is the same
 * email, never a second one). One email per request rather than `batch.send`: a batch's key covers the whole request,
 * so a retried batch whose membership changed would be refused or, worse, partly sent twice.
 *
 * The SDK never throws on an HTTP failure: it returns `{ data, error, headers }`, and `headers` carries the answer's
 * response headers (ratelimit-*, retry-after), which pace the next request (./rate-limit.ts). Errors become
 * `EmailSendError`s saying whether a retry can help.
 */
import "server-only";
import { Resend } from "resend";
import { RateLimitGate } from "./rate-limit";
import { EmailSendError, type EmailMessage, type EmailSender } from "./types";

export interface ResendSenderOptions {
  apiKey: string;
  /** "Tradsy <mail@tradsy.example>" or a bare address (EMAIL_FROM). */
  from: string;
  /** Another API root (a local fake in tests and demos); unset: the SDK's, https://api.resend.com. */
  baseUrl?: string;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Whether a later retry can get past an error: no answer (the SDK's statusCode null: the request may or may not have
 * arrived; the idempotency key makes a resend safe), 429 (rate limit, daily or monthly quota), 5xx, 401/403 (a key or
 * domain an operator can fix before the retries run out), and 409 concurrent_idempotent_requests (the same key still
 * in flight). Other 4xx refuse this email itself (422 validation, an invalid address): sending it again cannot help.
 */
function retryable(status: number | null, name: string): boolean {
  if (status === null || status === 429 || status >= 500 || status === 401 || status === 403) return true;
  return status === 409 && name === "concurrent_idempotent_requests";
}

export class ResendSender implements EmailSender {
  readonly name = "resend";
  private readonly client: Resend;
  private readonly from: string;
  readonly gate: RateLimitGate;

  constructor(options: ResendSenderOptions) {
    this.client = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } : undefined);
    this.from = options.from;
    this.gate = new RateLimitGate(options.clock, options.sleep);
  }

  readyAt(): number {
    return this.gate.nextAllowedAt;
  }

  async send(email: EmailMessage): Promise<{ providerMessageId: string }> {
    await this.gate.pass();
    const { data, error, headers } = await this.client.emails.send(
      {
        from: this.from,
        to: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        ...(Object.keys(email.headers).length ? { headers: email.headers } : {}),
      },
      { idempotencyKey: email.idempotencyKey },
    );
    const status = error ? error.statusCode : 200;
    const wait = this.gate.observe(status, headers);
    if (!error) {
      if (!data?.id) throw new EmailSendError("Resend accepted the email but returned no id", true, 200);
      return { providerMessageId: data.id };
    }
    const code = error.statusCode;
    const where = code === null ? "no answer" : `${code} ${error.name}`;
    throw new EmailSendError(`Resend did not take the email (${where}): ${error.message}`, retryable(code, error.name), code, wait?.ms ?? null, code === 429);
  }
}
