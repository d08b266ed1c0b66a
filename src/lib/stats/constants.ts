/** The product's track-record constants. Decimal quantities are strings so no float ever enters the maths. */

/** Fee per side, charged on the notional of each side (0.1%). */
export const FEE = "0.001";
/** Starting equity of the standard account, in USD. */
export const INITIAL_EQUITY = "10000";
/** Fraction of realized equity allocated to each signal at its open. */
export const ALLOCATION = "0.1";
/** Days a track record must span (now − first signal's openedAt) before the provider can be ranked. */
export const MIN_TRACK_RECORD_DAYS = 30;
/** Closed signals a window needs before the provider can be ranked in it. */
export const MIN_CLOSED_SIGNALS = 20;
/** Closed signals at which the ranking score stops being shrunk toward 0. */
export const FULL_WEIGHT_SIGNALS = 50;
/** Days per year used to annualise Sharpe and Sortino (crypto trades every day). */
export const ANNUALISATION_DAYS = 365;
/** The windows stats are computed for; "1y" is 365 days. */
export const WINDOWS = ["30d", "90d", "1y", "all"] as const;

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
