/**
 * What the admin audit log can be narrowed to: who acted, what they did, and when. The page parses them from its URL
 * (`/admin/audit?action=admin.role_changed&actor=ana@example.com&from=2026-01-01&to=2026-01-31`), the admin router
 * takes them (auditFiltersInput) and the users service applies them. The page has controls for each (a form that
 * GETs the same URL) and links to the action and actor filters from each entry; the CSV export
 * (/api/admin/audit.csv) takes the same query.
 */
import { z } from "zod";
import { firstParam, hrefWith, textParam, type SearchParams } from "./search-params";

export interface AuditFilters {
  /** The acting account's email (entries by the system have none). */
  actor?: string;
  /** The action code, exactly (`user.signed_in`). */
  action?: string;
  /** From this instant (inclusive). */
  from?: Date;
  /** Up to this instant (exclusive). */
  to?: Date;
}

// The range a filter may name: the database keeps years 1 to 294276, but an audit row is from 1970 on, and a day of
// year 9999 plus one would leave the four-digit years JavaScript dates serialise to.
const EARLIEST = new Date(0);
const LATEST = new Date(Date.UTC(9999, 0, 1));

export const auditFiltersInput = {
  // Emails are stored lower-case; a filter typed or linked in another case still finds them.
  actor: z.string().trim().toLowerCase().min(1).max(254).optional(),
  action: z.string().trim().min(1).max(100).optional(),
  from: z.date().min(EARLIEST, "Audit dates start in 1970").max(LATEST, "Audit dates end before 9999").optional(),
  to: z.date().min(EARLIEST, "Audit dates start in 1970").max(LATEST, "Audit dates end before 9999").optional(),
};

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `YYYY-MM-DD` day's UTC start, or undefined for anything else (a malformed filter is no filter). */
function dayStart(raw: string | undefined): Date | undefined {
  const m = raw ? DAY.exec(raw) : null;
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === raw && d >= EARLIEST && d < LATEST ? d : undefined;
}

const DAY_MS = 86_400_000;

/** The filters in a URL's query: `from` and `to` are UTC days, both included. */
export function parseAuditFilters(sp: SearchParams): AuditFilters {
  const action = textParam(sp.action, 100);
  const actor = textParam(sp.actor, 254).toLowerCase();
  const from = dayStart(firstParam(sp.from));
  const toDay = dayStart(firstParam(sp.to));
  return {
    ...(actor ? { actor } : {}),
    ...(action ? { action } : {}),
    ...(from ? { from } : {}),
    ...(toDay ? { to: new Date(toDay.getTime() + DAY_MS) } : {}),
  };
}

/** The audit page's URL for these filters and page (the inverse of parseAuditFilters). */
export function auditHref(filters: AuditFilters, page = 1): string {
  return hrefWith("/admin/audit", {
    actor: filters.actor,
    action: filters.action,
    from: filters.from?.toISOString().slice(0, 10),
    to: filters.to ? new Date(filters.to.getTime() - DAY_MS).toISOString().slice(0, 10) : undefined,
    page,
  });
}

/** The CSV export of the entries matching these filters (same query as the page, without its page number). */
export function auditCsvHref(filters: AuditFilters): string {
  return auditHref(filters).replace(/^\/admin\/audit/, "/api/admin/audit.csv");
}

/**
 * Actions the app records, offered by the page's action filter (a list to pick from; any other code can still be
 * typed, e.g. one added later). Security-relevant first, as those are what the log is searched for most.
 */
export const KNOWN_AUDIT_ACTIONS = [
  "user.signed_in",
  "user.sign_in_failed",
  "user.new_device_sign_in",
  "user.signed_up",
  "user.password_changed",
  "user.password_reset_requested",
  "user.password_reset",
  "user.email_verified",
  "two_factor.enabled",
  "two_factor.disabled",
  "two_factor.step_up",
  "two_factor.recovery_codes_regenerated",
  "two_factor.recovery_code_used",
  "two_factor.reset",
  "session.revoked",
  "session.revoked_all",
  "api_key.created",
  "api_key.revoked",
  "admin.role_changed",
  "exchange.connection.create",
  "exchange.connection.remove",
  "exchange.connection.removed",
  "copy.kill_switch.follower",
  "copy.kill_switch.following.closed",
  "copy.kill_switch.provider.on",
  "copy.kill_switch.provider.off",
  "copy.kill_switch.platform.on",
  "copy.kill_switch.platform.off",
  "provider.webhook_rotated",
  "provider.webhook_passphrase_set",
  "provider.webhook_passphrase_cleared",
  "account.exported",
  "account.deleted",
  "keys.rotated",
  "billing.connect_account_created",
  "billing.price_set",
  "signal.published",
  "signal.closed",
  "signal.cancelled",
  "job.run.retried",
  "job.run.cancelled",
] as const;
