/**
 * The hosts a development server is opened on: the loopback names and this machine's own addresses (what `next dev`
 * prints as "Network"). next.config.ts gives them to `allowedDevOrigins`, without which Next serves its dev scripts
 * only to pages opened on localhost (nothing would be interactive at http://127.0.0.1:3000); the base-URL helper
 * (src/server/http/base-url.ts) builds links from a request's Host only when it is one of them.
 * Pure: the caller passes `os.networkInterfaces()`, so next.config.ts, the server and tests share one list.
 */

/** The part of `os.networkInterfaces()` this reads (family is a number on some Node versions). */
export interface InterfaceAddress {
  address: string;
  family: string | number;
}

export const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"] as const;

const isIpv6 = (a: InterfaceAddress) => a.family === "IPv6" || a.family === 6;

/**
 * Hostnames as they appear in a URL (IPv6 in brackets), lowercase, without duplicates: the loopback ones, then every
 * interface address. Link-local IPv6 addresses (fe80::/10) are left out: they need a zone id, which browsers do not
 * accept in a URL, so nobody opens the app on one.
 */
export function devHosts(interfaces: Record<string, InterfaceAddress[] | undefined>): string[] {
  const hosts = new Set<string>(LOOPBACK_HOSTS);
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      const address = a.address.toLowerCase();
      if (isIpv6(a)) {
        if (/^fe[89ab][0-9a-f]:/.test(address)) continue;
        hosts.add(`[${address.split("%")[0]}]`);
      } else {
        hosts.add(address);
      }
    }
  }
  return [...hosts];
}

/** Whether `hostname` (as in `URL.hostname`) is one of `hosts` or a `*.localhost` name (loopback by RFC 6761, which Next allows too). */
export function isDevHost(hostname: string, hosts: readonly string[]): boolean {
  const h = hostname.toLowerCase();
  return hosts.includes(h) || /^[a-z0-9-]+(\.[a-z0-9-]+)*\.localhost$/.test(h);
}
