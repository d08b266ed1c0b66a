/**
 * The security headers every response carries, built in one place for both writers: src/proxy.ts (pages: a CSP with
 * a fresh nonce per request) and next.config.ts `headers()` (everything the proxy does not run for: API routes,
 * Next's static files, public files: a CSP without a nonce).
 *
 * Choices, and why:
 * - Scripts on pages: `'nonce-…' 'strict-dynamic'`. Next reads the nonce from the request's CSP header and puts it
 *   on its own scripts (framework, page chunks, the inline RSC payload); scripts those load are trusted through
 *   'strict-dynamic'. 'self' and https://js.stripe.com stay listed for browsers without CSP3 (they ignore the
 *   nonce's strictness but still refuse other hosts). Pages are rendered per request for this (a static page has
 *   no nonce to give).
 * - Scripts elsewhere (the static CSP): no inline script at all. JSON, CSV and files need none; an HTML answer from
 *   an API route (none today) could run nothing but same-origin files.
 * - Styles: 'self' 'unsafe-inline', deliberately, with no nonce (a nonce in style-src switches 'unsafe-inline'
 *   off). Radix positions popovers and dialogs with `style` attributes, sonner and lightweight-charts write style
 *   elements and attributes at run time, and a nonce covers none of those (style attributes are not nonce-able at
 *   all). Injected CSS can restyle a page but not run code; script-src is where the line is held.
 * - 'unsafe-eval' only under `next dev` (React rebuilds server error stacks in the browser with eval).
 * - Stripe: Stripe.js and its frames (js.stripe.com, hooks.stripe.com), its API for Stripe.js, and the hosted
 *   Checkout/billing portal as form targets (a form posted without JavaScript is redirected there, and Chrome holds
 *   redirects after a form post to form-action). In embedded mode the checkout is our own /dev/stripe page: 'self'.
 * - GitHub and Google sign-in, only when configured: the sign-in form posts to /api/auth/signin/<provider>, which
 *   redirects to the provider's authorize page, and form-action covers that redirect too (a policy without them
 *   leaves the buttons dead in Chrome). An instance without them allows neither.
 * - lightweight-charts draws on canvas: nothing to allow. QR codes are data: images; exports are blob: downloads.
 * - frame-ancestors 'none' (and X-Frame-Options: DENY for browsers without CSP 2): no page of ours in anyone's frame.
 * - No upgrade-insecure-requests: the production build is also served over plain http on 127.0.0.1 (e2e, local
 *   `next start`), where it would point every asset at an https port nobody listens on; HSTS does that job in
 *   production behind TLS.
 */

// Relative: next.config.ts imports this file, and its loader does not know the "@/" alias.
import { OAUTH_AUTHORIZE_ORIGINS, type OAuthProviders } from "../oauth-providers";

export interface CspOptions {
  /** The page's nonce (base64); none for the static CSP. */
  nonce?: string | null;
  /** `next dev`: allows eval for React's dev tooling. */
  dev: boolean;
  /** The OAuth sign-ins configured (src/lib/oauth-providers.ts): their authorize pages become form targets. */
  oauth?: OAuthProviders;
}

const STRIPE_JS = "https://js.stripe.com";

/** The Content-Security-Policy value. */
export function buildCsp({ nonce, dev, oauth }: CspOptions): string {
  if (nonce !== undefined && nonce !== null && !isNonce(nonce)) throw new Error("a CSP nonce must be base64");
  const script = nonce
    ? ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", STRIPE_JS]
    : ["'self'", STRIPE_JS];
  if (dev) script.push("'unsafe-eval'");
  const directives: Array<[string, string[]]> = [
    ["default-src", ["'self'"]],
    ["script-src", script],
    ["style-src", ["'self'", "'unsafe-inline'"]],
    ["img-src", ["'self'", "data:", "blob:", "https://*.stripe.com"]],
    ["font-src", ["'self'", "data:"]],
    ["connect-src", ["'self'", "https://api.stripe.com"]],
    ["frame-src", ["'self'", STRIPE_JS, "https://hooks.stripe.com"]],
    ["worker-src", ["'self'", "blob:"]],
    ["manifest-src", ["'self'"]],
    ["object-src", ["'none'"]],
    ["base-uri", ["'self'"]],
    ["form-action", ["'self'", "https://checkout.stripe.com", "https://billing.stripe.com", "https://connect.stripe.com", ...oauthFormTargets(oauth)]],
    ["frame-ancestors", ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(" ")}`).join("; ");
}

function oauthFormTargets(oauth: OAuthProviders | undefined): string[] {
  if (!oauth) return [];
  return (Object.keys(OAUTH_AUTHORIZE_ORIGINS) as Array<keyof OAuthProviders>).filter((p) => oauth[p]).map((p) => OAUTH_AUTHORIZE_ORIGINS[p]);
}

/** base64 (standard or url-safe), the only alphabet a nonce may use inside a header and a policy. */
export function isNonce(value: string): boolean {
  return /^[A-Za-z0-9+/_-]{16,128}={0,2}$/.test(value);
}

/** The nonce Next would read from a page request's CSP header (as Next parses it: script-src, else default-src). */
export function nonceFromCsp(csp: string | null | undefined): string | null {
  const m = /(?:^|;)\s*script-src\s[^;]*'nonce-([^']+)'/.exec(csp ?? "");
  return m?.[1] ?? null;
}

/**
 * Browser features no page of ours uses are switched off, for our pages and for anything framed in them; Stripe's
 * frames keep payment (Payment Request API) for Stripe.js, should a page load it.
 */
export const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "autoplay=()",
  "camera=()",
  "display-capture=()",
  "encrypted-media=()",
  "fullscreen=(self)",
  "geolocation=()",
  "gyroscope=()",
  "magnetometer=()",
  "microphone=()",
  "midi=()",
  `payment=(self "${STRIPE_JS}")`,
  "publickey-credentials-get=(self)",
  "screen-wake-lock=()",
  "usb=()",
  "xr-spatial-tracking=()",
  "browsing-topics=()",
].join(", ");

/** HSTS, production only: two years, subdomains included (no preload: that is a decision for the domain's owner). */
export const HSTS = "max-age=63072000; includeSubDomains";

export interface HeaderOptions {
  /** NODE_ENV is production: HSTS is sent. */
  production: boolean;
}

/** The headers besides the CSP, the same on every response. */
export function securityHeaders({ production }: HeaderOptions): Array<{ key: string; value: string }> {
  return [
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
    // Over http a browser ignores it; the production server sits behind TLS.
    ...(production ? [{ key: "Strict-Transport-Security", value: HSTS }] : []),
  ];
}
