/**
 * An email address with most of it hidden, for pages reached by a link that may have been forwarded (the
 * unsubscribe page): enough for its owner to recognise it, not enough for someone else to learn it.
 * "jane.doe@example.com" → "ja•••••@e••••••.com".
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "•••";
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf(".");
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : "";
  const keep = local.length <= 2 ? 1 : 2;
  const hide = (s: string, shown: number) => s.slice(0, shown) + "•".repeat(Math.max(3, Math.min(s.length - shown, 8)));
  return `${hide(local, keep)}@${hide(host, 1)}${tld}`;
}
