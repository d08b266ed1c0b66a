/**
 * Redirect targets that arrive in a URL or a form (return_url, cancel_url, callbackUrl) must stay on this site:
 * anything else is an open redirect. Only a same-origin path survives; everything else becomes the fallback.
 */
const PROBE_ORIGIN = "http://same-origin.invalid";

/** `raw` as a same-origin path (with its query and hash), or `fallback` when it is absolute, foreign or odd. */
export function safeRedirectPath(raw: unknown, fallback: string): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2048) return fallback;
  // Browsers read "\" as "/" ("/\evil.com" is protocol-relative) and drop tabs and newlines inside URLs.
  if (!raw.startsWith("/") || raw.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
