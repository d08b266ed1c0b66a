/**
 * The alert messages we ask providers to paste into TradingView's "Message" box. Quoted placeholders keep the
 * message valid JSON even when TradingView cannot fill one (an unquoted empty {{close}} would break the JSON and
 * TradingView would then send it as text/plain). parse.test.ts checks both templates parse once rendered.
 */

/** Replace with the provider's webhook passphrase before showing the template. */
export const ALERT_TEMPLATE_PASSPHRASE = "YOUR_PASSPHRASE";

/** For indicator and price alerts: one alert per direction, with "action" set to buy, sell, exit or cancel. */
export const ALERT_TEMPLATE = `{
  "passphrase": "${ALERT_TEMPLATE_PASSPHRASE}",
  "action": "buy",
  "ticker": "{{exchange}}:{{ticker}}",
  "price": "{{close}}",
  "sl": "0",
  "tp": "0",
  "time": "{{timenow}}"
}`;

/** For strategy ("order fills") alerts: action and sentiment come from the strategy, so one alert covers all fills. */
export const STRATEGY_ALERT_TEMPLATE = `{
  "passphrase": "${ALERT_TEMPLATE_PASSPHRASE}",
  "action": "{{strategy.order.action}}",
  "sentiment": "{{strategy.market_position}}",
  "ticker": "{{exchange}}:{{ticker}}",
  "price": "{{strategy.order.price}}",
  "quantity": "{{strategy.order.contracts}}",
  "time": "{{timenow}}",
  "comment": "{{strategy.order.comment}}"
}`;
