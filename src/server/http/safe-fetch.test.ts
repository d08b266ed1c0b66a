/**
 * SSRF safety of outbound sends (issue 16, acceptance 3): http://, 127.0.0.1, 10.x, 169.254.169.254, [::1], a host
 * name resolving to a private address and a redirect to one are refused with a clear message; the test allow-list
 * cannot be enabled in production. Local servers on 127.0.0.1 stand in for the outside world, reached through
 * OUTBOUND_URL_ALLOWLIST; name resolution is injected, so nothing here touches DNS or the network.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useEnvOverrides } from "@/test/env";
import { closeServer, listenLocal } from "@/server/integrations/market-data/fake-binance";
import { assertProductionSecrets } from "@/server/secrets";
import { startServer } from "@/server/startup";
import { forbiddenAddressReason } from "./ip-ranges";
import {
  checkOutboundUrl,
  MAX_BODY_BYTES,
  OutboundAllowlistError,
  outboundAllowlist,
  OutboundNetworkError,
  safeFetch,
  setOutboundResolver,
  UnsafeUrlError,
  type OutboundResolver,
} from "./safe-fetch";

const setEnv = useEnvOverrides();

interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local server that records what reaches it and answers with `handler`. */
async function localServer(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void = (_req, res) => res.end("ok")) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      handler(req, res, body);
    });
  });
  const origin = await listenLocal(server);
  const port = (server.address() as AddressInfo).port;
  servers.push(server);
  return { origin, port, seen, hostPort: `127.0.0.1:${port}` };
}

const servers: http.Server[] = [];
afterEach(async () => {
  setOutboundResolver(null);
  await Promise.all(servers.splice(0).map(closeServer));
});

/** A resolver that answers from `table` (and counts the questions); unknown names are ENOTFOUND. */
function fakeDns(table: Record<string, string[]>): OutboundResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: (address.includes(":") ? 6 : 4) as 4 | 6 }));
  };
  return Object.assign(resolve, { asked });
}

const refusal = (url: string): string => {
  try {
    checkOutboundUrl(url);
  } catch (err) {
    expect(err).toBeInstanceOf(UnsafeUrlError);
    return (err as Error).message;
  }
  throw new Error(`${url} was accepted`);
};

describe("checkOutboundUrl: what a saved URL may be", () => {
  beforeEach(() => setEnv("OUTBOUND_URL_ALLOWLIST", undefined));

  it("accepts https on a public name or address, on any port, and returns it parsed", () => {
    expect(checkOutboundUrl("https://hooks.example.com/tradsy?x=1").href).toBe("https://hooks.example.com/tradsy?x=1");
    expect(checkOutboundUrl("https://hooks.example.com:8443/in").port).toBe("8443");
    expect(checkOutboundUrl("https://93.184.216.34/hook").hostname).toBe("93.184.216.34");
    expect(checkOutboundUrl("https://[2606:4700:4700::1111]/hook").hostname).toBe("[2606:4700:4700::1111]");
  });

  it.each([
    // The acceptance list
    ["http://hooks.example.com/in", /^Refused: http:\/\/ is not allowed, use an https:\/\/ URL$/],
    ["https://127.0.0.1/in", /^Refused: 127\.0\.0\.1 is a loopback address$/],
    ["https://10.0.0.5/in", /^Refused: 10\.0\.0\.5 is a private address$/],
    ["https://169.254.169.254/latest/meta-data/", /^Refused: 169\.254\.169\.254 is the cloud metadata address$/],
    ["https://[::1]:8443/in", /^Refused: ::1 is a loopback address$/],
    // Other private and special ranges
    ["http://127.0.0.1:3000/api", /^Refused: 127\.0\.0\.1 is a loopback address$/],
    ["https://0.0.0.0/", /^Refused: 0\.0\.0\.0 is an unspecified address/],
    ["https://172.16.4.1/", /private address/],
    ["https://172.31.255.255/", /private address/],
    ["https://192.168.1.10/", /private address/],
    ["https://100.64.0.1/", /carrier-grade NAT/],
    ["https://169.254.10.1/", /link-local address/],
    ["https://224.0.0.1/", /multicast address/],
    ["https://255.255.255.255/", /reserved address/],
    ["https://192.0.2.10/", /documentation address/],
    ["https://[::]/", /^Refused: :: is an unspecified address$/],
    ["https://[fe80::1]/", /link-local address/],
    ["https://[fc00::1]/", /private \(unique local\) address/],
    ["https://[fd12:3456::1]/", /private \(unique local\) address/],
    ["https://[fd00:ec2::254]/latest/meta-data/", /^Refused: fd00:ec2::254 is the cloud metadata address$/],
    ["https://[ff02::1]/", /multicast address/],
    // IPv6 spellings of IPv4 addresses
    ["https://[::ffff:127.0.0.1]/", /^Refused: ::ffff:7f00:1 is a loopback address \(IPv4 127\.0\.0\.1\)$/],
    ["https://[::ffff:a9fe:a9fe]/", /the cloud metadata address \(IPv4 169\.254\.169\.254\)/],
    ["https://168.63.129.16/machine", /^Refused: 168\.63\.129\.16 is the cloud metadata address$/],
    ["https://[64:ff9b::a00:5]/", /private address \(IPv4 10\.0\.0\.5\)/],
    ["https://[2002:c0a8:101::1]/", /private address \(IPv4 192\.168\.1\.1\)/],
    // Numeric spellings of 127.0.0.1 (the URL parser normalises them; the check sees 127.0.0.1)
    ["https://2130706433/", /^Refused: 127\.0\.0\.1 is a loopback address$/],
    ["https://0x7f.1/", /^Refused: 127\.0\.0\.1 is a loopback address$/],
    ["https://017700000001/", /^Refused: 127\.0\.0\.1 is a loopback address$/],
    ["https://127.1/", /^Refused: 127\.0\.0\.1 is a loopback address$/],
    ["https://0x0a000005/", /^Refused: 10\.0\.0\.5 is a private address$/],
    // Names that are this machine or the local network
    ["https://localhost/in", /^Refused: localhost is this server itself/],
    ["https://LOCALHOST./in", /^Refused: localhost is this server itself/],
    ["https://hooks.localhost:3000/in", /^Refused: hooks\.localhost is this server itself/],
    ["https://intranet/in", /^Refused: intranet is not a public host name/],
    // Shapes
    ["https://user:secret@hooks.example.com/in", /user name or password in the URL/],
    ["ftp://hooks.example.com/in", /^Refused: ftp:\/\/ URLs are not allowed/],
    ["file:///etc/passwd", /^Refused: file:\/\/ URLs are not allowed/],
    ["https://hooks.example.com:0/", /port 0/],
    ["not a url", /^Refused: this is not a valid URL$/],
  ])("refuses %s", (url, message) => {
    expect(refusal(url)).toMatch(message);
  });
});

describe("forbiddenAddressReason: the ranges' edges", () => {
  it.each(["8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0", "169.253.255.255", "192.169.0.0", "223.255.255.255", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2a00:1450:4001::200e"])(
    "lets the public address %s through",
    (address) => expect(forbiddenAddressReason(address)).toBeNull(),
  );

  it.each([
    ["10.255.255.255", "a private address"],
    ["127.255.255.254", "a loopback address"],
    ["100.127.255.255", "a carrier-grade NAT (shared) address"],
    ["::ffff:10.1.2.3", "a private address (IPv4 10.1.2.3)"],
    ["::ffff:0:7f00:1", "a loopback address (IPv4 127.0.0.1)"],
    ["fe80::1%eth0", "a link-local address"],
    ["::ffff:7f00:1%lo", "a loopback address (IPv4 127.0.0.1)"],
    ["[::1]", "a loopback address"],
    ["2001:db8::1", "a documentation address"],
    ["hooks.example.com", "not an IP address"],
  ])("refuses %s as %s", (address, reason) => expect(forbiddenAddressReason(address)).toBe(reason));
});

describe("safeFetch through the test allow-list", () => {
  it("sends the method, headers and body to an allow-listed local server over http and returns its answer", async () => {
    const fake = await localServer((_req, res) => {
      res.setHeader("x-fake", "yes");
      res.statusCode = 202;
      res.end('{"accepted":true}');
    });
    setEnv("OUTBOUND_URL_ALLOWLIST", fake.hostPort);
    const answer = await safeFetch(`${fake.origin}/hooks/in?x=1`, { method: "POST", headers: { "content-type": "application/json", "tradsy-webhook-id": "evt_1", "Content-Length": "999" }, body: '{"a":1}' });
    expect(answer).toEqual({ status: 202, headers: expect.objectContaining({ "x-fake": "yes" }), body: '{"accepted":true}', url: `${fake.origin}/hooks/in?x=1` });
    expect(fake.seen).toHaveLength(1);
    expect(fake.seen[0]).toMatchObject({ method: "POST", path: "/hooks/in?x=1", body: '{"a":1}', headers: { "content-type": "application/json", "tradsy-webhook-id": "evt_1", "content-length": "7" } });
  });

  it("lists a host and port, not the machine: another port on 127.0.0.1 is still refused, and nothing reaches it", async () => {
    const listed = await localServer();
    const other = await localServer();
    setEnv("OUTBOUND_URL_ALLOWLIST", listed.hostPort);
    expect(checkOutboundUrl(`${listed.origin}/in`).port).toBe(String(listed.port));
    await expect(safeFetch(`${other.origin}/in`, { method: "GET" })).rejects.toThrow(/^Refused: 127\.0\.0\.1 is a loopback address$/);
    await expect(safeFetch(`https://10.0.0.1:${listed.port}/in`, { method: "GET" })).rejects.toThrow(/^Refused: 10\.0\.0\.1 is a private address$/);
    expect(other.seen).toHaveLength(0);
  });

  it("connects to the address the lookup checked: an allow-listed name is sent to what the resolver answered", async () => {
    const fake = await localServer();
    const dns = fakeDns({ "fake-hooks.test": ["127.0.0.1"] });
    setOutboundResolver(dns);
    setEnv("OUTBOUND_URL_ALLOWLIST", `fake-hooks.test:${fake.port}`);
    const answer = await safeFetch(`http://fake-hooks.test:${fake.port}/in`, { method: "GET" });
    expect(answer.status).toBe(200);
    // The system resolver knows no *.test name: the request got here through the injected answer, asked once.
    expect(fake.seen[0]!.headers.host).toBe(`fake-hooks.test:${fake.port}`);
    expect(dns.asked).toEqual(["fake-hooks.test"]);
  });
});

describe("safeFetch: names are resolved and checked when connecting", () => {
  beforeEach(() => setEnv("OUTBOUND_URL_ALLOWLIST", undefined));

  it("refuses a host name resolving to a private address, though the URL passed when it was saved (DNS rebinding)", async () => {
    const dns = fakeDns({ "hooks.example.com": ["10.0.0.5"] });
    setOutboundResolver(dns);
    // Saving the URL resolves nothing, so a name may point anywhere later: the check that counts is at send time.
    expect(checkOutboundUrl("https://hooks.example.com/in").hostname).toBe("hooks.example.com");
    expect(dns.asked).toEqual([]);
    const sent = safeFetch("https://hooks.example.com/in", { method: "POST", body: "{}" });
    await expect(sent).rejects.toBeInstanceOf(UnsafeUrlError);
    await expect(sent).rejects.toThrow(/^Refused: hooks\.example\.com resolves to 10\.0\.0\.5, a private address$/);
    expect(dns.asked).toEqual(["hooks.example.com"]);
  });

  it.each([
    [["93.184.216.34", "127.0.0.1"], /resolves to 127\.0\.0\.1, a loopback address/],
    [["2606:2800:220:1::1", "::1"], /resolves to ::1, a loopback address/],
    [["169.254.169.254"], /resolves to 169\.254\.169\.254, the cloud metadata address/],
    [["::ffff:192.168.0.7"], /resolves to ::ffff:192\.168\.0\.7, a private address \(IPv4 192\.168\.0\.7\)/],
  ])("refuses a name when any of its addresses %j is forbidden", async (addresses, message) => {
    setOutboundResolver(fakeDns({ "mixed.example.com": addresses }));
    await expect(safeFetch("https://mixed.example.com/in", { method: "GET" })).rejects.toThrow(message);
  });

  it("says a name that does not resolve has no answer (a network error, not a refusal)", async () => {
    setOutboundResolver(fakeDns({}));
    const sent = safeFetch("https://gone.example.com/in", { method: "GET" });
    await expect(sent).rejects.toBeInstanceOf(OutboundNetworkError);
    await expect(sent).rejects.toThrow(/^Could not resolve gone\.example\.com \(no such host\)$/);
  });
});

describe("safeFetch: redirects", () => {
  it("refuses a 307 to an unlisted 127.0.0.1 port, to 10.0.0.1 and to the metadata address; the target sees nothing", async () => {
    const target = await localServer();
    let location = "";
    const fake = await localServer((_req, res) => {
      res.writeHead(307, { location });
      res.end();
    });
    setEnv("OUTBOUND_URL_ALLOWLIST", fake.hostPort);
    for (const [to, message] of [
      [`${target.origin}/steal`, /^Refused: 127\.0\.0\.1 is a loopback address \(redirected to http:\/\/127\.0\.0\.1:\d+\/steal\)$/],
      ["http://10.0.0.1/admin", /^Refused: 10\.0\.0\.1 is a private address \(redirected to http:\/\/10\.0\.0\.1\/admin\)$/],
      ["https://169.254.169.254/latest/meta-data/iam/", /^Refused: 169\.254\.169\.254 is the cloud metadata address \(redirected to /],
      ["http://hooks.example.com/in", /^Refused: http:\/\/ is not allowed, use an https:\/\/ URL \(redirected to http:\/\/hooks\.example\.com\/in\)$/],
    ] as const) {
      location = to;
      const sent = safeFetch(`${fake.origin}/in`, { method: "POST", body: "{}" });
      await expect(sent).rejects.toBeInstanceOf(UnsafeUrlError);
      await expect(sent).rejects.toThrow(message);
    }
    expect(fake.seen).toHaveLength(4);
    expect(target.seen).toHaveLength(0);
  });

  it("refuses a 308 to a public-looking name that resolves to a private address", async () => {
    const fake = await localServer((_req, res) => {
      res.writeHead(308, { location: "https://rebind.example.com/in" });
      res.end();
    });
    setEnv("OUTBOUND_URL_ALLOWLIST", fake.hostPort);
    setOutboundResolver(fakeDns({ "rebind.example.com": ["192.168.1.1"] }));
    await expect(safeFetch(`${fake.origin}/in`, { method: "GET" })).rejects.toThrow(
      /^Refused: rebind\.example\.com resolves to 192\.168\.1\.1, a private address \(redirected to https:\/\/rebind\.example\.com\/in\)$/,
    );
  });

  it("follows 307 and 308 to allowed places with the method and body kept, credentials dropped across origins", async () => {
    const final = await localServer((_req, res) => res.end("landed"));
    const first = await localServer((req, res) => {
      // A relative 307 on the same origin, then a 308 to another origin.
      res.writeHead(req.url === "/start" ? 307 : 308, { location: req.url === "/start" ? "/moved" : `${final.origin}/final` });
      res.end();
    });
    setEnv("OUTBOUND_URL_ALLOWLIST", `${first.hostPort} ${final.hostPort}`);
    const answer = await safeFetch(`${first.origin}/start`, { method: "POST", headers: { authorization: "Bearer secret", "x-sig": "v1=abc" }, body: '{"n":1}' });
    expect(answer).toMatchObject({ status: 200, body: "landed", url: `${final.origin}/final` });
    expect(first.seen.map((r) => [r.method, r.path, r.body, r.headers.authorization])).toEqual([
      ["POST", "/start", '{"n":1}', "Bearer secret"],
      ["POST", "/moved", '{"n":1}', "Bearer secret"],
    ]);
    expect(final.seen).toHaveLength(1);
    expect(final.seen[0]).toMatchObject({ method: "POST", path: "/final", body: '{"n":1}' });
    expect(final.seen[0]!.headers["x-sig"]).toBe("v1=abc");
    expect(final.seen[0]!.headers.authorization).toBeUndefined();
  });

  it("stops after maxRedirects hops (default 3) with a network error", async () => {
    const loop = await localServer((req, res) => {
      res.writeHead(307, { location: `/again${req.url}` });
      res.end();
    });
    setEnv("OUTBOUND_URL_ALLOWLIST", loop.hostPort);
    const sent = safeFetch(`${loop.origin}/x`, { method: "GET" });
    await expect(sent).rejects.toBeInstanceOf(OutboundNetworkError);
    await expect(sent).rejects.toThrow(/^Too many redirects: stopped after 3 \(the last one to \/again\/again\/again\/again\/x\)$/);
    expect(loop.seen).toHaveLength(4); // the first request and 3 followed hops
    loop.seen.length = 0;
    await expect(safeFetch(`${loop.origin}/x`, { method: "GET", maxRedirects: 1 })).rejects.toThrow(/stopped after 1/);
    expect(loop.seen).toHaveLength(2);
  });

  it("reports a 307 whose Location is not a URL as a network error", async () => {
    const fake = await localServer((_req, res) => {
      res.writeHead(307, { location: "http://[not-an-address/" });
      res.end();
    });
    setEnv("OUTBOUND_URL_ALLOWLIST", fake.hostPort);
    const sent = safeFetch(`${fake.origin}/in`, { method: "GET" });
    await expect(sent).rejects.toBeInstanceOf(OutboundNetworkError);
    await expect(sent).rejects.toThrow(/answered 307 with a Location that is not a URL \(http:\/\/\[not-an-address\/\)$/);
  });

  it.each([301, 302, 303])("returns a %i as the answer without following it", async (status) => {
    const target = await localServer();
    const fake = await localServer((_req, res) => {
      res.writeHead(status, { location: `${target.origin}/elsewhere` });
      res.end("moved");
    });
    setEnv("OUTBOUND_URL_ALLOWLIST", `${fake.hostPort},${target.hostPort}`);
    const answer = await safeFetch(`${fake.origin}/in`, { method: "POST", body: "{}" });
    expect(answer).toMatchObject({ status, body: "moved", headers: { location: `${target.origin}/elsewhere` } });
    expect(target.seen).toHaveLength(0);
  });
});

describe("safeFetch: answers and failures", () => {
  it("reads at most 64 KB of an answer", async () => {
    const fake = await localServer((_req, res) => res.end("x".repeat(MAX_BODY_BYTES * 3)));
    setEnv("OUTBOUND_URL_ALLOWLIST", fake.hostPort);
    const answer = await safeFetch(fake.origin, { method: "GET" });
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveLength(MAX_BODY_BYTES);
  });

  it("gives up after timeoutMs when the server does not answer", async () => {
    const fake = await localServer(() => undefined); // never answers
    setEnv("OUTBOUND_URL_ALLOWLIST", fake.hostPort);
    const started = Date.now();
    const sent = safeFetch(fake.origin, { method: "POST", body: "{}", timeoutMs: 200 });
    await expect(sent).rejects.toBeInstanceOf(OutboundNetworkError);
    await expect(sent).rejects.toThrow(/^No answer from 127\.0\.0\.1 within 0\.2 s$/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("counts the deadline over the whole call: a stalled body and a name lookup that never answers time out too", async () => {
    const fake = await localServer((_req, res) => {
      res.writeHead(200);
      res.write("partial"); // and never ends
    });
    setEnv("OUTBOUND_URL_ALLOWLIST", fake.hostPort);
    await expect(safeFetch(fake.origin, { method: "GET", timeoutMs: 200 })).rejects.toThrow(/^No answer from 127\.0\.0\.1 within 0\.2 s$/);
    setOutboundResolver(() => new Promise(() => undefined));
    await expect(safeFetch("https://slow-dns.example.com/in", { method: "GET", timeoutMs: 200 })).rejects.toThrow(/^No answer from slow-dns\.example\.com within 0\.2 s$/);
  });

  it("reports a refused connection and a TLS failure as network errors", async () => {
    const fake = await localServer();
    const port = fake.port;
    await closeServer(servers.pop()!);
    setEnv("OUTBOUND_URL_ALLOWLIST", `127.0.0.1:${port}`);
    await expect(safeFetch(`http://127.0.0.1:${port}/in`, { method: "GET" })).rejects.toThrow(new OutboundNetworkError(`Connection refused by 127.0.0.1:${port}`));
    // https to a plain-http server: the TLS handshake fails.
    const plain = await localServer();
    setEnv("OUTBOUND_URL_ALLOWLIST", plain.hostPort);
    const sent = safeFetch(`https://127.0.0.1:${plain.port}/in`, { method: "GET" });
    await expect(sent).rejects.toBeInstanceOf(OutboundNetworkError);
    await expect(sent).rejects.toThrow(/^TLS error with 127\.0\.0\.1:\d+: /);
  });
});

describe("OUTBOUND_URL_ALLOWLIST", () => {
  it("reads host[:port] entries, comma- or space-separated, IPv6 in brackets", () => {
    expect(outboundAllowlist("127.0.0.1:4010, Fake-Hooks.test [::1]:4011 api.telegram.local:80", "test")).toEqual([
      { host: "127.0.0.1", port: 4010 },
      { host: "fake-hooks.test", port: null },
      { host: "::1", port: 4011 },
      { host: "api.telegram.local", port: 80 },
    ]);
    expect(outboundAllowlist(undefined, "production")).toEqual([]);
    expect(outboundAllowlist("  ", "production")).toEqual([]);
    expect(() => outboundAllowlist("http://127.0.0.1:4010/path", "test")).toThrow(/is not host\[:port\]/);
  });

  it("cannot be loaded in production: the loader throws, safeFetch refuses and sends nothing", async () => {
    expect(() => outboundAllowlist("127.0.0.1:4010", "production")).toThrow(OutboundAllowlistError);
    expect(() => outboundAllowlist("127.0.0.1:4010", "production")).toThrow(/^Refusing OUTBOUND_URL_ALLOWLIST in production/);
    const fake = await localServer();
    setEnv("OUTBOUND_URL_ALLOWLIST", fake.hostPort);
    setEnv("NODE_ENV", "production");
    await expect(safeFetch(`${fake.origin}/in`, { method: "GET" })).rejects.toThrow(OutboundAllowlistError);
    expect(() => checkOutboundUrl(`${fake.origin}/in`)).toThrow(OutboundAllowlistError);
    expect(fake.seen).toHaveLength(0);
  });

  it("stops a production server from starting (assertProductionSecrets, the first start-up check)", async () => {
    setEnv("NODE_ENV", "production");
    setEnv("APP_URL", "https://signals.example.com");
    setEnv("AUTH_SECRET", "safe-fetch-test-auth-secret-0123456789abcdef");
    setEnv("ENCRYPTION_KEY", "ab".repeat(32));
    setEnv("OUTBOUND_URL_ALLOWLIST", undefined);
    expect(() => assertProductionSecrets()).not.toThrow();
    setEnv("OUTBOUND_URL_ALLOWLIST", "127.0.0.1:4010");
    const refused = /^Refusing OUTBOUND_URL_ALLOWLIST in production: .*tests and local demos only\. Unset it\.$/;
    expect(() => assertProductionSecrets()).toThrow(refused);
    // Start-up checks before it touches anything (database, jobs), so this refusal is all that happens.
    await expect(startServer()).rejects.toThrow(refused);
    setEnv("NODE_ENV", "development");
    expect(() => assertProductionSecrets()).not.toThrow();
  });
});
