/**
 * A publication's checks, before anything is written: its fields (the shared zod schema), the provider's publishing
 * quota, and the market — the symbol must exist, a market entry must be within tolerance of the current price (so
 * nobody can back-date a winner), a limit must be on the right side of the market, the stop on the losing side and
 * targets on the winning side. Refusals throw ValidationError (or LimitExceededError) and write nothing.
 */
import "server-only";
import Decimal from "decimal.js";
import type { z } from "zod";
import { env } from "@/env";
import type { TakeProfitLevel } from "@/server/db/schema";
import { ValidationError } from "@/server/errors";
import { consume, refund } from "@/server/rate-limit";
import type { ServiceContext } from "@/server/services/context";
import { getMarketData } from "@/server/integrations/market-data";
import { DEFAULT_LIMIT_EXPIRY_HOURS, levelProblems, publishSignalSchema, relativeDistance, type PublishSignalInput } from "@/lib/validation/signals";
import { fieldErrorsFromZod, firstFieldError } from "@/lib/validation/field-errors";

/** A provider's publishing quota (`SIGNAL_PUBLISH_LIMIT_PER_MINUTE`, default 30 a minute). */
export const PUBLISH_RATE = { points: env.SIGNAL_PUBLISH_LIMIT_PER_MINUTE, seconds: 60 } as const;

export type PublishInput = z.output<typeof publishSignalSchema>;

/** A publication that passed every check (`checkPublication`), ready to be numbered, chained and written. */
export interface CheckedPublication {
  input: PublishInput;
  symbol: string;
  entry: string;
  takeProfits: TakeProfitLevel[];
  expiresAt: Date | null;
  now: Date;
}

export function parsePublishInput(raw: unknown): PublishInput {
  const parsed = publishSignalSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = fieldErrorsFromZod(parsed.error);
    throw new ValidationError(firstFieldError(fields) ?? "Check the signal's fields", fields);
  }
  return parsed.data;
}

async function consumeQuota(providerId: string) {
  await consume("publish-signal", providerId, PUBLISH_RATE.points, PUBLISH_RATE.seconds);
}

/**
 * The rate limit and the checks against the market; refusals throw and write nothing (a refusal after the rate
 * limit still counts against it). A checked publication that is then not written, being a repeat, gives its point
 * back with `refundPublication`.
 */
export async function checkInput(providerId: string, input: PublishInput, now: Date): Promise<CheckedPublication> {
  await consumeQuota(providerId);
  return checkMarket(input, now);
}

async function checkMarket(input: PublishInput, now: Date): Promise<CheckedPublication> {
  const market = getMarketData();
  const info = await market.getSymbol(input.symbol);
  if (!info) {
    const msg = `Unknown symbol "${input.symbol}". Pick one from the symbol list (e.g. BTC/USDT).`;
    throw new ValidationError(msg, { symbol: [msg] });
  }
  const quote = await market.lastPrice(info.symbol);
  const tolerance = new Decimal(env.SIGNAL_ENTRY_TOLERANCE);
  let entry: string;
  if (input.entryType === "market") {
    if (input.entryPrice && relativeDistance(input.entryPrice, quote.price).gt(tolerance)) {
      const pct = relativeDistance(input.entryPrice, quote.price).times(100).toDecimalPlaces(2).toString();
      const msg = `Entry ${input.entryPrice} is ${pct}% from the market price ${quote.price}; a market entry must be within ${tolerance.times(100).toString()}% of it.`;
      throw new ValidationError(msg, { entryPrice: [msg] });
    }
    entry = quote.price;
  } else {
    entry = input.entryPrice!;
    const long = input.side === "long";
    const wrongSide = long ? new Decimal(entry).gte(quote.price) : new Decimal(entry).lte(quote.price);
    if (wrongSide) {
      const msg = `A ${input.side} limit entry must be ${long ? "below" : "above"} the current price ${quote.price}; use a market entry to enter now.`;
      throw new ValidationError(msg, { entryPrice: [msg] });
    }
  }
  const problems = levelProblems(input, entry);
  if (Object.keys(problems).length) throw new ValidationError(firstFieldError(problems) ?? "Check the levels", problems);

  const takeProfits: TakeProfitLevel[] = input.takeProfits.map((tp) => ({ price: tp.price, share: tp.share }));
  const expiresAt = input.entryType === "limit" ? new Date(now.getTime() + (input.expiresInHours ?? DEFAULT_LIMIT_EXPIRY_HOURS) * 3_600_000) : null;
  return { input, symbol: info.symbol, entry, takeProfits, expiresAt, now };
}

/** Parses and checks a publication (see `checkInput`) at `ctx.now` without writing anything. */
export async function checkPublication(ctx: ServiceContext, providerId: string, raw: PublishSignalInput | unknown): Promise<CheckedPublication> {
  return checkInput(providerId, parsePublishInput(raw), ctx.now);
}

/** A publication's checks as a verdict, with whether they took a point of the provider's quota (see `checkInput`). */
export type PublicationCheck = { ok: true; value: CheckedPublication; counted: true } | { ok: false; error: unknown; counted: boolean };

/**
 * `checkPublication` as a verdict rather than a throw, for a caller that decides later whether it publishes at all:
 * if it does not, it gives back the point the checks took (`counted`) with `refundPublication`.
 */
export async function checkPublicationVerdict(ctx: ServiceContext, providerId: string, raw: PublishSignalInput | unknown): Promise<PublicationCheck> {
  let input: PublishInput;
  try {
    input = parsePublishInput(raw);
    await consumeQuota(providerId);
  } catch (error) {
    return { ok: false, error, counted: false };
  }
  try {
    return { ok: true, value: await checkMarket(input, ctx.now), counted: true };
  } catch (error) {
    return { ok: false, error, counted: true };
  }
}

/**
 * `checkPublication` for a caller with an exact path to fall back on: null instead of a refusal or an error, and
 * then nothing counted against the rate limit (the exact path counts and refuses it, once).
 */
export async function tryCheckPublication(ctx: ServiceContext, providerId: string, raw: PublishSignalInput | unknown): Promise<CheckedPublication | null> {
  const parsed = publishSignalSchema.safeParse(raw);
  if (!parsed.success) return null;
  try {
    await consumeQuota(providerId);
  } catch {
    return null;
  }
  try {
    return await checkMarket(parsed.data, ctx.now);
  } catch {
    await refundPublication(providerId);
    return null;
  }
}

/** Gives back the rate-limit point a checked publication took, when it turned out to be a repeat and wrote nothing. */
export async function refundPublication(providerId: string): Promise<void> {
  await refund("publish-signal", providerId);
}
