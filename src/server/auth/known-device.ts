/**
 * Known browsers (OWASP's "device cookie", the answer to lock-out by strangers' failures): a browser that signed in
 * to an account with its password carries a token for that account, and its later attempts on that account skip
 * the account's progressive delay (they have a delay of their own instead, see sign-in-limits.ts). A stranger
 * guessing the password never holds one, so however many failures they pile on the account, the owner's browser
 * still signs in.
 *
 * A token is `<random id>.<MAC>`, the MAC (HMAC-SHA256 under a key derived from the Auth.js secret) binding the id
 * to the account's user id and session version: it carries no account data, cannot be made without the secret, is
 * worth nothing on another account, and a password change or reset (which bumps the version) retires every token
 * issued before it. One cookie holds the tokens of the last few accounts signed in from the browser.
 */
import "server-only";
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { db } from "@/server/db";
import { users } from "@/server/db/schema";
import { constantTimeEqual } from "@/server/crypto/secret-box";
import { getAuthSecret } from "@/server/secrets";

/**
 * The cookie's name. Over https it carries the `__Host-` prefix, which browsers accept only with Secure, Path=/ and
 * no Domain: a sibling subdomain or a plain-http response cannot plant or overwrite it.
 */
export const deviceCookieName = (secure: boolean): string => (secure ? "__Host-tradsy.device" : "tradsy.device");

/** How long a browser stays known without signing in again (each sign-in renews it). */
export const DEVICE_COOKIE_MAX_AGE_SEC = 180 * 24 * 60 * 60;
/** Accounts one browser is remembered for (a shared computer); the oldest falls off. */
export const TOKENS_PER_BROWSER = 5;

const TOKEN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;
const SEPARATOR = "~";

/** A cookie to set on the response, in the shape both `cookies().set` and `NextResponse.cookies.set` take. */
export interface DeviceCookie {
  name: string;
  value: string;
  options: { httpOnly: true; secure: boolean; sameSite: "lax"; path: "/"; maxAge: number };
}

/** What the browser presented: its tokens (well-formed ones only) and whether the request came over https. */
export interface PresentedDevice {
  secure: boolean;
  tokens: string[];
}

/** A token that is valid for the account being signed in to. */
export interface KnownDevice {
  /** The key of this browser's own sign-in budget on the account. */
  budgetKey: string;
  token: string;
}

let macKey: { secret: string; key: Buffer } | undefined;

function key(): Buffer {
  const secret = getAuthSecret();
  if (macKey?.secret !== secret) {
    // A key of its own, so these MACs can never stand in for anything else signed with the Auth.js secret.
    macKey = { secret, key: Buffer.from(hkdfSync("sha256", secret, "", "tradsy known-browser cookie v1", 32)) };
  }
  return macKey.key;
}

const mac = (userId: string, sessionVersion: number, id: string) =>
  createHmac("sha256", key()).update(`${userId}\0${sessionVersion}\0${id}`).digest("base64url");

/**
 * The device tokens a request carries. The cookie name follows the request's scheme as Auth.js sees it (the url
 * it hands `authorize`), which is also how Auth.js picks its own secure cookie names.
 */
export function presentedDevice(request: Request): PresentedDevice {
  const secure = new URL(request.url).protocol === "https:";
  const name = deviceCookieName(secure);
  let value = "";
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) value = part.slice(at + 1).trim();
  }
  const tokens = value.split(SEPARATOR).filter((t) => TOKEN.test(t)).slice(0, TOKENS_PER_BROWSER);
  return { secure, tokens };
}

/** The presented token that is valid for the account with this (normalised) email, if any. */
export async function recogniseDevice(device: PresentedDevice, email: string): Promise<KnownDevice | null> {
  if (device.tokens.length === 0) return null; // no lookup for browsers that have never signed in
  const user = await db.query.users.findFirst({ where: eq(users.email, email), columns: { id: true, sessionVersion: true } });
  if (!user) return null;
  for (const token of device.tokens) {
    const [id, tag] = token.split(".") as [string, string];
    if (constantTimeEqual(tag, mac(user.id, user.sessionVersion, id))) return { budgetKey: `${user.id}:${id}`, token };
  }
  return null;
}

/**
 * The cookie for a browser that just signed in to `user`: a fresh token for this account first, then the tokens it
 * already held for other accounts (the one it used for this account, if any, is replaced).
 */
export async function rememberDevice(
  user: { id: string; sessionVersion?: number },
  device: PresentedDevice,
  used: KnownDevice | null,
): Promise<DeviceCookie> {
  // The version read with the password hash when the caller has it; otherwise the account's current one.
  const version =
    user.sessionVersion ??
    (await db.query.users.findFirst({ where: eq(users.id, user.id), columns: { sessionVersion: true } }))?.sessionVersion ??
    0;
  const id = randomBytes(16).toString("base64url");
  const others = device.tokens.filter((t) => t !== used?.token);
  const value = [`${id}.${mac(user.id, version, id)}`, ...others].slice(0, TOKENS_PER_BROWSER).join(SEPARATOR);
  return {
    name: deviceCookieName(device.secure),
    value,
    options: { httpOnly: true, secure: device.secure, sameSite: "lax", path: "/", maxAge: DEVICE_COOKIE_MAX_AGE_SEC },
  };
}
