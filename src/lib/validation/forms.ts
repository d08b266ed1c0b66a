/**
 * Server actions are endpoints anyone can post to, with any arguments Next can decode, not only what the page's
 * form sends: each form action first checks that it got a form at all.
 */

/** What a form action answers when it was called with something other than its form (a hand-made request). */
export const UNREADABLE_FORM = "This form could not be read. Reload the page and try again.";

export function isForm(value: unknown): value is FormData {
  return value instanceof FormData;
}
