/**
 * What an exchange error means for an order we sent: the one decision the live venue has to get right, because a
 * wrong answer either places a copy twice or drops it.
 *
 * - `duplicate`: the exchange already holds an order under our client order id, so it was placed: look it up.
 * - `ambiguous`: the request may or may not have reached the matching engine (timeout, dropped connection, the
 *   exchange's "execution status unknown", overload): look it up; if it is not there, retry later.
 * - `not_found`: a lookup found no order under that id.
 * - `rejected`: the exchange refused the order (funds, filters, symbol, permissions, key): record it, never retry.
 *
 * Decided by the exchange's own code first, the ccxt error class second. The class alone misleads: ccxt picks its
 * tables by URL and by what happened earlier on the instance (binance rethrows -2015 "Invalid API-key" as
 * DDoSProtection, a network error, once a private call has succeeded, so a revoked key would look retryable), and
 * an exchange's duplicate-id code arrives as a plain InvalidOrder. ccxt appends the exchange's JSON body to the
 * message ("binance {\"code\":-2010,\"msg\":\"Duplicate order sent.\"}"), which is where the code is read from.
 *
 * The message returned carries only the exchange's code and text: ccxt's own messages can hold the request URL with
 * its query and signature (network errors, HTTP errors without a JSON body), and it must never reach our rows, logs
 * or users with anything derived from the credentials.
 */
import "server-only";
import { BadResponse, BaseError, DuplicateOrderId, NetworkError, OperationFailed, OrderNotFound } from "ccxt";

export type VenueErrorKind = "duplicate" | "ambiguous" | "rejected" | "not_found";

export interface VenueError {
  kind: VenueErrorKind;
  /** The exchange's error code ("-2010", "110072", "51016"), null when the error carried none. */
  code: string | null;
  /** The exchange's own message, or the ccxt error class when there is none; never a URL or a credential. */
  message: string;
}

/** Exchange error codes that mean "an order with this client order id already exists". */
const DUPLICATE: Record<string, (code: string, msg: string) => boolean> = {
  // -2010 is Binance's catch-all "new order rejected" (insufficient balance, would match...): only this text is a duplicate.
  binance: (code, msg) => (code === "-2010" && msg === "Duplicate order sent.") || code === "-4116",
  bybit: (code) => code === "110072",
  okx: (code) => code === "51016",
};

/** Per-exchange codes whose meaning ccxt's class gets wrong for our purpose. */
const BY_CODE: Record<string, Record<string, VenueErrorKind>> = {
  binance: {
    "-2013": "not_found", // Order does not exist.
    // "Timeout waiting for response from backend server. Send status unknown; execution status unknown."
    "-1007": "ambiguous",
    "-1000": "ambiguous", // An unknown error occurred while processing the request.
    "-1001": "ambiguous", // Internal error; unable to process your request.
    "-1021": "ambiguous", // Timestamp outside recvWindow: nothing was placed, and a later attempt (fresh clock) may pass.
    // The key is invalid, lacks permission or the IP is not allowed: ccxt may call it DDoSProtection (see above).
    "-2015": "rejected",
    "-2014": "rejected", // API-key format invalid.
    "-1022": "rejected", // Signature for this request is not valid.
  },
};

/** The ccxt exchange id's family: binanceus/binanceusdm answer like binance, myokx/okxus like okx, bybiteu like bybit. */
function family(exchangeId: string): string {
  for (const name of ["binance", "bybit", "okx"]) if (exchangeId.startsWith(name) || exchangeId.endsWith(name)) return name;
  return exchangeId;
}

interface ExchangeBody {
  code: string | null;
  msg: string | null;
}

/** The JSON body ccxt appended to the message: from the first "{" to the last "}". */
function parseBody(message: string): Record<string, unknown> | null {
  const start = message.indexOf("{");
  const end = message.lastIndexOf("}");
  if (start < 0 || end <= start) return null;
  try {
    const parsed: unknown = JSON.parse(message.slice(start, end + 1));
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const text = (v: unknown): string | null => (typeof v === "string" || typeof v === "number" ? String(v) : null);

/** The exchange's code and message, from binance `{code, msg}`, bybit `{retCode, retMsg}`, okx `{code, msg, data[{sCode, sMsg}]}`. */
function exchangeBody(message: string): ExchangeBody {
  const body = parseBody(message);
  if (!body) return { code: null, msg: null };
  // OKX puts the per-order failure in data[].sCode (the top-level code is "1": "operation failed").
  const first: unknown = Array.isArray(body.data) ? body.data[0] : undefined;
  if (first && typeof first === "object") {
    const item = first as Record<string, unknown>;
    const sCode = text(item.sCode);
    if (sCode !== null && sCode !== "0") return { code: sCode, msg: text(item.sMsg) ?? text(body.msg) };
  }
  const code = text(body.code) ?? text(body.retCode) ?? text(body.ret_code);
  const msg = text(body.msg) ?? text(body.retMsg) ?? text(body.ret_msg) ?? text(body.message);
  return { code, msg };
}

/**
 * The exchange's text when ccxt matched it by message (binance "Account has insufficient balance for requested
 * action." arrives as "binance Account has ..." with no JSON): the message after the exchange id, kept only when it
 * holds no URL (ccxt's HTTP and network errors name the signed URL) and no long token (a key or signature).
 */
function plainText(exchangeId: string, message: string): string | null {
  const rest = message.startsWith(`${exchangeId} `) ? message.slice(exchangeId.length + 1) : message;
  if (/https?:\/\/|[?&][a-z]+=|[A-Za-z0-9+/=_-]{40,}|\{/i.test(rest)) return null;
  const trimmed = rest.trim();
  return trimmed === "" ? null : trimmed.slice(0, 300);
}

function kindOfClass(err: unknown): VenueErrorKind {
  if (err instanceof DuplicateOrderId) return "duplicate";
  // OrderNotFound extends InvalidOrder: asked first, or a missing order would read as a rejected one.
  if (err instanceof OrderNotFound) return "not_found";
  // NetworkError (timeouts, unreachable, rate limits, nonce) and BadResponse are both OperationFailed in ccxt's tree.
  if (err instanceof NetworkError || err instanceof BadResponse || err instanceof OperationFailed) return "ambiguous";
  if (err instanceof BaseError) return "rejected";
  // Not a ccxt error (a bug, an aborted fetch outside ccxt): we cannot tell whether the order went out.
  return "ambiguous";
}

export function classifyVenueError(exchangeId: string, err: unknown): VenueError {
  const raw = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : "Error";
  const fam = family(exchangeId);
  const { code, msg } = exchangeBody(raw);
  const message = msg ?? (code === null ? plainText(exchangeId, raw) : null) ?? name;

  let kind: VenueErrorKind | undefined;
  if (code !== null) {
    if (DUPLICATE[fam]?.(code, msg ?? "")) kind = "duplicate";
    else kind = BY_CODE[fam]?.[code];
  }
  return { kind: kind ?? kindOfClass(err), code, message };
}
