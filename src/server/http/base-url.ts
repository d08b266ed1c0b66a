/**
 * The app's absolute base URL, for every link that leaves the page: emailed verification and reset links, billing
 * notices, the TradingView webhook URL and the REST example, the chain URL of a track record.
 *
 * - `APP_URL` when set, in every mode.
 * - Production requires it: start-up refuses without it (`assertAppUrlConfigured`), so a link never depends on a
 *   request's headers there.
 * - Development (and tests) without it: the address the page was opened on, so links work at http://127.0.0.1:3000,
 *   on another port or at the "Network" address `next dev` prints; but only for a host the dev server serves
 *   (localhost, 127.0.0.1, [::1], *.localhost and this machine's own addresses, the list next.config.ts gives
 *   `allowedDevOrigins`) on the port it listens on. Any other Host, or a request without one (a job, a webhook from
 *   elsewhere), gets http://localhost:$PORT: a Host header sent by someone else cannot point a reset link at their
 *   server. X-Forwarded-Host and -Proto count only behind trusted proxies (`TRUSTED_PROXY_HOPS`, as for the client
 *   address), and even then only for such a host and port.
 */
import "server-only";
import os from "node:os";
import { env } from "@/env";
import { devHosts, isDevHost } from "@/lib/dev-origins";
import { trustedProxyHops } from "./client-ip";

/** Next's own default port, when nothing has set PORT (a test, a script). */
const DEFAULT_PORT = 3000;

export class MissingAppUrlError extends Error {}

const MISSING_APP_URL =
  "Refusing to start in production without APP_URL, the public address of the app (e.g. https://signals.example.com): " +
  "emailed links, the TradingView webhook URL and the chain URL are built from it.";

/** Called at server start-up, beside the secrets check: production must say where it is reached. */
export function assertAppUrlConfigured(): void {
  if (env.NODE_ENV === "production" && !env.APP_URL) throw new MissingAppUrlError(MISSING_APP_URL);
}

/** The port this server listens on: `next dev` and `next start` set PORT to the port they bound. */
const listeningPort = (): number => env.PORT ?? DEFAULT_PORT;

let hosts: string[] | undefined;
/** Read once, like next.config.ts reads them once when the dev server starts. */
const allowedHosts = (): string[] => (hosts ??= devHosts(os.networkInterfaces()));

const firstValue = (value: string | null): string | null => value?.split(",")[0]?.trim() || null;
/** host[:port] and nothing else: a hostname, an IPv4 address or a bracketed IPv6 address. */
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i;

/**
 * The origin a request was made to, when the development server serves that host on its own port; else null.
 * Not for production, where `appBaseUrl` never reads headers.
 */
export function allowedRequestOrigin(headers: Headers): string | null {
  const trusted = trustedProxyHops() > 0;
  const host = (trusted ? firstValue(headers.get("x-forwarded-host")) : null) ?? headers.get("host")?.trim();
  const proto = ((trusted ? firstValue(headers.get("x-forwarded-proto")) : null) ?? "http").toLowerCase();
  if (!host || !HOST.test(host) || (proto !== "http" && proto !== "https")) return null;
  let url: URL;
  try {
    url = new URL(`${proto}://${host}`);
  } catch {
    return null;
  }
  const port = url.port ? Number(url.port) : proto === "https" ? 443 : 80;
  if (port !== listeningPort() || !isDevHost(url.hostname, allowedHosts())) return null;
  return url.origin;
}

/**
 * The base URL (no trailing slash) for links built while answering `headers`' request, or for work done without a
 * request (jobs, webhooks) when `headers` is omitted. Throws `MissingAppUrlError` in production without APP_URL
 * (start-up has refused already, so only a script run with NODE_ENV=production can get there).
 */
export function appBaseUrl(headers?: Headers | null): string {
  if (env.APP_URL) return env.APP_URL;
  if (env.NODE_ENV === "production") throw new MissingAppUrlError(MISSING_APP_URL);
  return (headers ? allowedRequestOrigin(headers) : null) ?? `http://localhost:${listeningPort()}`;
}
