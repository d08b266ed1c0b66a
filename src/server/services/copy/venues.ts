/**
 * Where copies are executed. Two shapes:
 * - the paper venue (./paper.ts) fills a whole page of followers in one statement, inside the fan-out's step;
 * - a venue that must serialise per account (an exchange connection, next issue) gets the page's decisions as
 *   `planned` copy orders and one `copy-connection` run per connection (concurrency key: the connection), which
 *   places them one at a time in the order they were planned, looking the client order id up first on any retry.
 *
 * This module is the second shape's contract: the resolver from a connection id to its venue is installed at start-up
 * (src/server/startup.ts: the exchange connections service); a connection it does not know (removed, its key
 * refused, or no resolver installed) rejects its orders with that reason rather than leaving them queued.
 */
import "server-only";
import type { CopyLeg, OrderSide } from "@/lib/copy/types";

export interface VenueOrderRequest {
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  quantity: string;
  /**
   * The last price the engine knows for the symbol (the provider's, or the position's mark): what a venue checks a
   * minimum order value against instead of asking the exchange for a ticker. Never sent as the order's price.
   */
  referencePrice?: string;
  /** Entries may be skipped where exits may not (a closed market: an entry is skipped if the follower chose so). */
  leg?: CopyLeg | (string & {});
}

export type VenueOrderResult =
  | {
      status: "filled";
      venueOrderId: string;
      fillPrice: string;
      fee: string;
      filledAt: Date;
      /** What actually filled, when the venue filled less than asked (a market order expired part-way); else absent. */
      quantity?: string;
    }
  | { status: "rejected"; venueOrderId: string | null; reason: string }
  /**
   * Not placed yet, and not an error: the venue takes it later (a stock market that is closed). The order stays
   * planned and the connection's run sleeps until `until`; the orders after it on the connection wait with it.
   */
  | { status: "waiting"; until: Date; reason: string };

/** A venue that takes one order at a time for one account. */
export interface SerialVenue {
  /**
   * The order the venue holds under this client order id, if any (a retry after a crash finds it here). Exchanges
   * look orders up per market, so callers pass the order's symbol ("BTC/USDT").
   */
  findOrder(clientOrderId: string, symbol?: string): Promise<VenueOrderResult | null>;
  placeOrder(order: VenueOrderRequest): Promise<VenueOrderResult>;
}

export type VenueResolver = (connectionId: string) => Promise<SerialVenue | null>;

const g = globalThis as unknown as { __tradsyVenueResolver?: VenueResolver };

/** Installs how connection ids resolve to venues (the exchange integration; tests install a fake exchange). */
export function setVenueResolver(resolver: VenueResolver | undefined): void {
  g.__tradsyVenueResolver = resolver;
}

export async function serialVenue(connectionId: string): Promise<SerialVenue | null> {
  return g.__tradsyVenueResolver ? g.__tradsyVenueResolver(connectionId) : null;
}

/** The paper venue fills in batches; every other venue id is a connection served one order at a time. */
export const isBatchVenue = (venue: string) => venue === "paper";
