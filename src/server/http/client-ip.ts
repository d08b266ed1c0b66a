/**
 * The caller's IP for rate limits and the audit log. Forwarding headers are only believed when the app runs behind
 * a proxy that sets them (`TRUST_PROXY`, on by default because every real deployment terminates TLS in front of
 * Node); with it off they are ignored, since anyone can send them. Limits that must not be bypassable also key on
 * something the caller cannot vary freely (the account being signed in to).
 */
import "server-only";
import { env } from "@/env";

export function clientIp(headers: Headers): string | null {
  if (!env.TRUST_PROXY) return null;
  // The left-most entry is the original client as reported by the first proxy.
  return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip")?.trim() || null;
}
