/**
 * Outbound HTTP to addresses users give us (webhook endpoints, Discord webhooks, the Telegram Bot API), safe against
 * server-side request forgery: a user must not be able to make this server call its own loopback, the private
 * network, or the cloud metadata service.
 *
 * - `checkOutboundUrl` (sync, also used when a URL is saved): https only, no `user:password@`, no IP literal in a
 *   forbidden range (see ip-ranges.ts; numeric spellings such as 2130706433 or 0x7f.1 are normalised by the URL parser
 *   first), no `localhost`, `*.localhost` or single-label host names.
 * - `safeFetch` resolves the host name when it connects, through a `lookup` hook on the socket: every address the
 *   name resolves to is checked and the socket connects to one of exactly those addresses, so a name that resolves
 *   to a public address when the URL is saved and to 10.0.0.5 when it is sent (DNS rebinding) is refused, and there
 *   is no second resolution between the check and the connection.
 * - Redirects: only 307 and 308 are followed (method and body kept), at most `maxRedirects` (3), each hop checked
 *   like the first; a redirect to a forbidden address is refused. Any other 3xx is returned as the answer.
 * - The answer's body is read up to 64 KB (the rest is dropped); the whole call, redirects included, has one
 *   deadline (`timeoutMs`, 10 s).
 *
 * Tests and local demos reach local fakes through `OUTBOUND_URL_ALLOWLIST` (`host[:port]`, comma-separated): a
 * listed host and port may be plain http and may resolve to private addresses; nothing else changes, so a redirect
 * from a listed fake to an unlisted 127.0.0.1 port is still refused. `outboundAllowlist()` throws in production, and
 * start-up refuses to run with it set (`assertProductionSecrets`).
 *
 * INVARIANT: every connection goes to an address that was checked for that connection: IP literals by
 * `checkOutboundUrl` (Node does not call `lookup` for them), names by `guardedLookup`.
 */
import "server-only";
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { env } from "@/env";
import { forbiddenAddressReason } from "./ip-ranges";

/** A URL or address we refuse to send to. The message is for people: "Refused: 10.0.0.5 is a private address". */
export class UnsafeUrlError extends Error {
  override name = "UnsafeUrlError";
}

/** No answer: timeout, name not found, connection refused or reset, TLS failure, too many redirects. */
export class OutboundNetworkError extends Error {
  override name = "OutboundNetworkError";
}

/** The allow-list was set where it must not be (production). */
export class OutboundAllowlistError extends Error {
  override name = "OutboundAllowlistError";
}

export interface SafeResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** UTF-8, at most `MAX_BODY_BYTES` of it. */
  body: string;
  /** The URL that answered (after followed redirects). */
  url: string;
}

export interface SafeFetchInit {
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** For the whole call, redirects included. Default 10 s. */
  timeoutMs?: number;
  /** 307/308 hops followed. Default 3. */
  maxRedirects?: number;
}

export const MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_REDIRECTS = 3;

// ---------------------------------------------------------------------------------------------------------------
// The test-only allow-list

export interface AllowlistEntry {
  /** Lower-case host name or IP address (IPv6 without brackets). */
  host: string;
  /** Null: any port of that host. */
  port: number | null;
}

const ALLOWLIST_IN_PRODUCTION =
  "Refusing OUTBOUND_URL_ALLOWLIST in production: it lets outbound sends (webhooks, Discord, Telegram) use plain http " +
  "and reach private addresses, so it is for tests and local demos only. Unset it.";

/**
 * The parsed `OUTBOUND_URL_ALLOWLIST` (`host[:port]` entries, comma- or space-separated; IPv6 in brackets:
 * `[::1]:4010`). Throws `OutboundAllowlistError` in production when set, and on an entry it cannot read.
 */
export function outboundAllowlist(raw: string | undefined = env.OUTBOUND_URL_ALLOWLIST, nodeEnv: string = env.NODE_ENV): AllowlistEntry[] {
  if (!raw?.trim()) return [];
  if (nodeEnv === "production") throw new OutboundAllowlistError(ALLOWLIST_IN_PRODUCTION);
  return raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      let url: URL;
      try {
        url = new URL(`http://${entry}`);
      } catch {
        throw new OutboundAllowlistError(`OUTBOUND_URL_ALLOWLIST: "${entry}" is not host[:port]`);
      }
      if (url.username || url.password || url.pathname !== "/" || url.search || url.hash) {
        throw new OutboundAllowlistError(`OUTBOUND_URL_ALLOWLIST: "${entry}" is not host[:port]`);
      }
      // An explicit :80 is dropped by the URL parser (http's default): keep the port the entry names.
      const port = /:(\d+)$/.exec(entry)?.[1];
      return { host: bareHost(url.hostname), port: port ? Number(port) : null };
    });
}

const bareHost = (hostname: string): string => hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");

const effectivePort = (url: URL): number => (url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443);

function isAllowlisted(url: URL, allowlist: AllowlistEntry[]): boolean {
  const host = bareHost(url.hostname);
  const port = effectivePort(url);
  return allowlist.some((entry) => entry.host === host && (entry.port === null || entry.port === port));
}

// ---------------------------------------------------------------------------------------------------------------
// Checking a URL (no network)

/**
 * The URL, parsed, when it may be sent to; throws `UnsafeUrlError` with a message for people otherwise. Names are not
 * resolved here (that happens when connecting, see `safeFetch`), so a name that passes may still be refused then.
 */
export function checkOutboundUrl(url: string): URL {
  return checkUrl(url, outboundAllowlist());
}

function checkUrl(raw: string, allowlist: AllowlistEntry[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError("Refused: this is not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UnsafeUrlError(`Refused: ${url.protocol}// URLs are not allowed, use an https:// URL`);
  }
  if (url.username || url.password) {
    throw new UnsafeUrlError("Refused: a user name or password in the URL (user:password@host) is not allowed");
  }
  if (url.port === "0") throw new UnsafeUrlError("Refused: port 0 is not a port that can be connected to");
  if (isAllowlisted(url, allowlist)) return url;
  // Where before how: "127.0.0.1 is a loopback address" tells more than "http:// is not allowed" for http://127.0.0.1.
  const host = bareHost(url.hostname);
  if (net.isIP(host)) {
    const reason = forbiddenAddressReason(host);
    if (reason) throw new UnsafeUrlError(`Refused: ${host} is ${reason}`);
  } else if (host === "localhost" || host.endsWith(".localhost")) {
    throw new UnsafeUrlError(`Refused: ${host} is this server itself (a loopback address)`);
  } else if (!host.includes(".")) {
    throw new UnsafeUrlError(`Refused: ${host} is not a public host name (it has no domain)`);
  }
  if (url.protocol === "http:") throw new UnsafeUrlError("Refused: http:// is not allowed, use an https:// URL");
  return url;
}

// ---------------------------------------------------------------------------------------------------------------
// Name resolution at connect time

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has. Injectable so tests never depend on DNS. */
export type OutboundResolver = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolver: OutboundResolver = async (hostname) => {
  const found = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

let resolver: OutboundResolver = systemResolver;

/** Tests: answer name lookups with `next` (null: the system resolver again). */
export function setOutboundResolver(next: OutboundResolver | null): void {
  resolver = next ?? systemResolver;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * The socket's `lookup`: resolves `hostname` once, refuses when ANY of its addresses is forbidden (unless the host and
 * port are allow-listed), and hands the socket exactly the addresses it checked.
 */
function guardedLookup(url: URL, allowed: boolean, onRefused: (err: UnsafeUrlError) => void) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolver(hostname).then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        if (wanted.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
          err.code = "ENOTFOUND";
          return callback(err, "");
        }
        if (!allowed) {
          for (const { address } of wanted) {
            const reason = forbiddenAddressReason(address);
            if (reason) {
              const refused = new UnsafeUrlError(`Refused: ${bareHost(url.hostname)} resolves to ${address}, ${reason}`);
              onRefused(refused);
              return callback(refused, "");
            }
          }
        }
        if (options.all) return callback(null, wanted.map(({ address, family }) => ({ address, family })));
        return callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ""),
    );
  };
}

// ---------------------------------------------------------------------------------------------------------------
// One request

function networkMessage(err: NodeJS.ErrnoException, url: URL): string {
  const where = `${bareHost(url.hostname)}:${effectivePort(url)}`;
  switch (err.code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NODATA":
    case "EAI_NONAME":
      return `Could not resolve ${bareHost(url.hostname)} (no such host)`;
    case "ECONNREFUSED":
      return `Connection refused by ${where}`;
    case "ECONNRESET":
    case "EPIPE":
      return `Connection reset by ${where}`;
    case "ETIMEDOUT":
      return `Connection to ${where} timed out`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${where} is unreachable`;
    default:
      if (err.code?.startsWith("ERR_TLS") || err.code?.startsWith("ERR_SSL") || /certificate|ssl|tls/i.test(err.message)) {
        return `TLS error with ${where}: ${err.message}`;
      }
      return `Request to ${where} failed: ${err.message}`;
  }
}

function requestOnce(url: URL, init: SafeFetchInit, allowed: boolean, deadline: number, timeoutMs: number): Promise<SafeResponse> {
  return new Promise<SafeResponse>((resolve, reject) => {
    let refused: UnsafeUrlError | undefined;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    // The length is ours to state: a caller's Content-Length (any case) could disagree with the body.
    const headers = Object.fromEntries(Object.entries(init.headers ?? {}).filter(([name]) => name.toLowerCase() !== "content-length"));
    if (init.body !== undefined) headers["content-length"] = String(Buffer.byteLength(init.body));
    const mod = url.protocol === "https:" ? https : http;
    const req = mod.request({
      protocol: url.protocol,
      host: bareHost(url.hostname),
      port: effectivePort(url),
      path: `${url.pathname}${url.search}`,
      method: init.method,
      headers,
      // A fresh connection per request: never a pooled socket opened for another URL's checks.
      agent: false,
      lookup: guardedLookup(url, allowed, (err) => (refused = err)) as unknown as net.LookupFunction,
      // SNI and the certificate check use the name, not the address we connected to.
      servername: net.isIP(bareHost(url.hostname)) ? undefined : bareHost(url.hostname),
    });
    const timer = setTimeout(
      () => {
        const err = new OutboundNetworkError(`No answer from ${bareHost(url.hostname)} within ${Math.round(timeoutMs / 100) / 10} s`);
        finish(() => reject(err));
        req.destroy(err);
      },
      Math.max(0, deadline - Date.now()),
    );
    req.on("error", (err: NodeJS.ErrnoException) => {
      finish(() => reject(refused ?? (err instanceof UnsafeUrlError || err instanceof OutboundNetworkError ? err : new OutboundNetworkError(networkMessage(err, url)))));
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        finish(() => {
          const responseHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: Buffer.concat(chunks).toString("utf8"), url: url.href });
        });
      res.on("data", (chunk: Buffer) => {
        if (settled) return;
        const room = MAX_BODY_BYTES - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (size >= MAX_BODY_BYTES) {
          // Enough: the rest of a large answer is not read (and not waited for).
          done();
          res.destroy();
        }
      });
      res.on("end", done);
      res.on("error", (err: NodeJS.ErrnoException) => finish(() => reject(new OutboundNetworkError(networkMessage(err, url)))));
    });
    req.end(init.body);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The call

/** Headers a cross-origin redirect must not carry on (as `fetch` does). */
const CREDENTIAL_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

/**
 * Sends one request to a URL a user gave us. Throws `UnsafeUrlError` (refused: http, a forbidden address, by its
 * literal, its name's resolution or a redirect) or `OutboundNetworkError` (no answer); any HTTP answer, 4xx and 5xx
 * and unfollowed 3xx included, is returned.
 */
export async function safeFetch(url: string, init: SafeFetchInit): Promise<SafeResponse> {
  const allowlist = outboundAllowlist();
  const timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRedirects = init.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const deadline = Date.now() + timeoutMs;
  let current = checkUrl(url, allowlist);
  let headers = { ...init.headers };
  let redirectedTo: string | undefined;
  // A refusal after a redirect says so: the URL the user saved was fine, where it sent us was not.
  const viaRedirect = (err: unknown): unknown =>
    err instanceof UnsafeUrlError && redirectedTo ? new UnsafeUrlError(`${err.message} (redirected to ${redirectedTo})`) : err;
  for (let hop = 0; ; hop++) {
    const response = await requestOnce(current, { ...init, headers }, isAllowlisted(current, allowlist), deadline, timeoutMs).catch((err: unknown) => {
      throw viaRedirect(err);
    });
    const location = response.headers.location;
    if ((response.status !== 307 && response.status !== 308) || !location) return response;
    if (hop >= maxRedirects) {
      throw new OutboundNetworkError(`Too many redirects: stopped after ${maxRedirects} (the last one to ${location})`);
    }
    redirectedTo = location;
    let target: URL;
    try {
      target = new URL(location, current);
    } catch {
      throw new OutboundNetworkError(`${current.host} answered ${response.status} with a Location that is not a URL (${location})`);
    }
    let next: URL;
    try {
      next = checkUrl(target.href, allowlist);
    } catch (err) {
      throw viaRedirect(err);
    }
    if (next.origin !== current.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())));
    }
    current = next;
  }
}
