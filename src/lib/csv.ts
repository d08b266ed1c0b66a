/**
 * One RFC 4180 CSV field, safe to open in a spreadsheet. Text that someone other than us chose (names, emails,
 * user agents, JSON built from input) and that a spreadsheet would run as a formula (starting with = + - @, or a
 * tab/CR that some treat alike) gets a leading apostrophe; `text = false` is for values we produce (numbers keep
 * their sign). The same rule as the copy journal's export (src/server/services/copy/journal.ts `csvField`).
 */
export function csvCell(value: string | number | null | undefined, text = true): string {
  if (value === null || value === undefined) return "";
  let s = String(value);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (CRLF-terminated) of already-escaped cells. */
export const csvLine = (cells: string[]): string => `${cells.join(",")}\r\n`;
