export {
  parseAlert,
  ACCEPTED_ACTIONS,
  MAX_ALERT_BYTES,
  MAX_ALERT_TAKE_PROFITS,
  type AlertAction,
  type AlertIntent,
  type AlertRefusal,
  type ParseAlertResult,
  type ParsedAlert,
} from "./parse";
export { ALERT_TEMPLATE, ALERT_TEMPLATE_PASSPHRASE, STRATEGY_ALERT_TEMPLATE } from "./template";
