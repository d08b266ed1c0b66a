/**
 * The caller's IP for rate limits and the audit log.
 *
 * X-Forwarded-For is a list anyone can start: a caller sends whatever they like and each proxy on the way appends
 * the address it received the request from. Only the entries our own proxies appended can be believed, so the
 * client is the Nth entry from the right, N being the number of proxies (`TRUSTED_PROXY_HOPS`). With none
 * configured (the default) no forwarding header is believed at all: there is no address, and the rate limits put
 * every such caller in one shared bucket (see `addressKey`). X-Real-IP is never read: it is not a chain, so nothing
 * tells a proxy's value from one the caller sent.
 */
import "server-only";
import { isIP } from "node:net";
import { env } from "@/env";
import { logger } from "@/server/logger";

/** Proxies in front of the app; TRUST_PROXY=1 is the old spelling of one. */
export function trustedProxyHops(): number {
  return env.TRUSTED_PROXY_HOPS ?? (env.TRUST_PROXY ? 1 : 0);
}

/**
 * Says at start-up, in production, when no client address can be known. Node alone cannot tell callers apart
 * either: Next.js fills X-Forwarded-For with the socket's address only when the caller sent none, so a caller's own
 * header hides the socket address from every route handler. Only a proxy of ours, appending, gives an address.
 */
export function warnIfNoClientAddress(): void {
  if (env.NODE_ENV !== "production" || trustedProxyHops() > 0) return;
  logger.warn(
    "TRUSTED_PROXY_HOPS is 0: no client address can be believed, so each per-address rate limit (failed sign-ins, " +
      "sign-up, password reset, email verification) is one budget shared by all callers, which one client can use " +
      "up for everyone (browsers that have signed in to an account before still sign in to it). Run the app behind a " +
      "proxy that appends the client to X-Forwarded-For and set TRUSTED_PROXY_HOPS to the number of such proxies " +
      "(README: Behind a proxy).",
  );
}

export function clientIp(headers: Headers): string | null {
  const hops = trustedProxyHops();
  if (hops === 0) return null;
  const chain = (headers.get("x-forwarded-for") ?? "").split(",");
  // Fewer entries than proxies: the request skipped one of them, so the entry we would take is the caller's own.
  if (chain.length < hops) return null;
  const candidate = chain[chain.length - hops]!.trim();
  return isIP(candidate) ? candidate : null;
}

/** Bucket name for the caller when no address can be believed: one budget shared by all of them. */
export const UNKNOWN_ADDRESS = "unknown-address";

/**
 * The rate-limit key for an address. IPv6 is keyed by its /64, which one subscriber usually holds whole (keying
 * single addresses would give them 2^64 budgets); IPv4-mapped IPv6 counts as the IPv4 address it carries.
 */
export function addressKey(ip: string | null): string {
  if (!ip) return UNKNOWN_ADDRESS;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) !== 6) return ip;
  return `${expandIpv6(ip).slice(0, 4).join(":")}::/64`;
}

function expandIpv6(ip: string): string[] {
  const [head, tail] = ip.split("%")[0]!.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  // An embedded IPv4 tail (::1.2.3.4) takes two groups; only the first four groups matter here, so any filler will do.
  const missing = 8 - left.length - right.length;
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(missing, 0)).fill("0"), ...right];
  return groups.map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? g.toLowerCase().replace(/^0+(?=.)/, "") : g));
}
