/**
 * Which IP addresses outbound sends (webhooks, Discord, Telegram) must never reach: loopback, private, link-local,
 * carrier-grade NAT, cloud metadata, multicast, unspecified, documentation and other reserved ranges, for IPv4 and
 * IPv6. IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are
 * judged by the IPv4 address they carry, so ::ffff:7f00:1 is loopback like 127.0.0.1.
 *
 * INVARIANT: `forbiddenAddressReason` returns null only for an address in none of the ranges below; anything it
 * cannot parse as an IP address is forbidden (a caller must never connect to something it could not judge).
 * Numeric IPv4 spellings (2130706433, 0x7f.1, 017700000001) are normalised by the WHATWG URL parser before they get
 * here; `checkOutboundUrl` in safe-fetch.ts relies on that.
 */
import "server-only";
import net from "node:net";

/** How a forbidden range is described to people: "10.0.0.5 is a private address". */
type Reason = string;

interface Range {
  network: string;
  prefix: number;
  reason: Reason;
}

const METADATA = "the cloud metadata address";

// Most specific first: the first match names the reason (169.254.169.254 is "metadata", not just "link-local").
const IPV4_RANGES: Range[] = [
  { network: "169.254.169.254", prefix: 32, reason: METADATA }, // AWS, GCP, Azure, OpenStack…
  { network: "100.100.100.200", prefix: 32, reason: METADATA }, // Alibaba Cloud
  // Azure's WireServer: public address space, but inside Azure it is the host's own agent endpoint.
  { network: "168.63.129.16", prefix: 32, reason: METADATA },
  { network: "0.0.0.0", prefix: 8, reason: "an unspecified address (this host)" },
  { network: "10.0.0.0", prefix: 8, reason: "a private address" },
  { network: "100.64.0.0", prefix: 10, reason: "a carrier-grade NAT (shared) address" },
  { network: "127.0.0.0", prefix: 8, reason: "a loopback address" },
  { network: "169.254.0.0", prefix: 16, reason: "a link-local address" },
  { network: "172.16.0.0", prefix: 12, reason: "a private address" },
  { network: "192.0.0.0", prefix: 24, reason: "a reserved (IETF protocol) address" },
  { network: "192.0.2.0", prefix: 24, reason: "a documentation address" },
  { network: "192.88.99.0", prefix: 24, reason: "a reserved (6to4 relay) address" },
  { network: "192.168.0.0", prefix: 16, reason: "a private address" },
  { network: "198.18.0.0", prefix: 15, reason: "a reserved (benchmarking) address" },
  { network: "198.51.100.0", prefix: 24, reason: "a documentation address" },
  { network: "203.0.113.0", prefix: 24, reason: "a documentation address" },
  { network: "224.0.0.0", prefix: 4, reason: "a multicast address" },
  { network: "240.0.0.0", prefix: 4, reason: "a reserved address" }, // includes 255.255.255.255 (broadcast)
];

const IPV6_RANGES: Range[] = [
  { network: "fd00:ec2::254", prefix: 128, reason: METADATA }, // AWS over IPv6
  { network: "::", prefix: 128, reason: "an unspecified address" },
  { network: "::1", prefix: 128, reason: "a loopback address" },
  { network: "::", prefix: 96, reason: "a reserved (IPv4-compatible) address" }, // deprecated ::a.b.c.d
  { network: "64:ff9b:1::", prefix: 48, reason: "a private (local NAT64) address" },
  { network: "100::", prefix: 64, reason: "a reserved (discard) address" },
  { network: "2001::", prefix: 23, reason: "a reserved (IETF protocol) address" }, // includes Teredo 2001::/32
  { network: "2001:db8::", prefix: 32, reason: "a documentation address" },
  { network: "3fff::", prefix: 20, reason: "a documentation address" },
  { network: "fc00::", prefix: 7, reason: "a private (unique local) address" },
  { network: "fe80::", prefix: 10, reason: "a link-local address" },
  { network: "fec0::", prefix: 10, reason: "a private (site-local) address" },
  { network: "ff00::", prefix: 8, reason: "a multicast address" },
];

function blockList(ranges: Range[], type: "ipv4" | "ipv6"): Array<{ list: net.BlockList; reason: Reason }> {
  return ranges.map(({ network, prefix, reason }) => {
    const list = new net.BlockList();
    list.addSubnet(network, prefix, type);
    return { list, reason };
  });
}

const v4 = blockList(IPV4_RANGES, "ipv4");
const v6 = blockList(IPV6_RANGES, "ipv6");

/** The eight 16-bit groups of an IPv6 address (`net.isIPv6(address)` must hold). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

const ipv4FromGroups = (hi: number, lo: number): string => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/** The IPv4 address an IPv6 address carries, when it is one of the forms that route to IPv4 (mapped, NAT64, 6to4). */
export function embeddedIpv4(address: string): string | null {
  if (!net.isIPv6(address)) return null;
  const g = ipv6Groups(address.split("%")[0]!); // a zone id (fe80::1%eth0) says which interface, not where
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return ipv4FromGroups(g[6]!, g[7]!); // ::ffff:a.b.c.d
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return ipv4FromGroups(g[6]!, g[7]!); // ::ffff:0:a.b.c.d (SIIT)
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return ipv4FromGroups(g[6]!, g[7]!); // 64:ff9b::a.b.c.d
  if (g[0] === 0x2002) return ipv4FromGroups(g[1]!, g[2]!); // 6to4 2002:AABB:CCDD::
  return null;
}

/**
 * Why `address` (an IP address, no brackets) must not be reached, as words for people ("a private address"), or
 * null when it is a public unicast address.
 */
export function forbiddenAddressReason(address: string): Reason | null {
  const bare = address.replace(/^\[|\]$/g, "");
  if (net.isIPv4(bare)) return v4.find(({ list }) => list.check(bare, "ipv4"))?.reason ?? null;
  if (!net.isIPv6(bare)) return "not an IP address";
  const carried = embeddedIpv4(bare);
  if (carried) {
    const reason = forbiddenAddressReason(carried);
    return reason && `${reason} (IPv4 ${carried})`;
  }
  return v6.find(({ list }) => list.check(bare, "ipv6"))?.reason ?? null;
}
