/** Untrusted URL query values: anything malformed falls back to a default instead of failing the page. */
import { isSafeText } from "@/lib/validation/text";

export type SearchParams = Record<string, string | string[] | undefined>;

export function firstParam(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Free text from the URL (a search box's query): trimmed and cut to `max` characters; text the app refuses anywhere
 * (a control character, broken UTF-16: `@/lib/validation/text`) means no query, as any other malformed filter does.
 */
export function textParam(v: string | string[] | undefined, max: number): string {
  const text = (firstParam(v) ?? "").trim().slice(0, max);
  return isSafeText(text) ? text : "";
}

export function parsePageParam(v: string | string[] | undefined, max = 10_000): number {
  const raw = firstParam(v) ?? "";
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : 1;
  return n >= 1 && n <= max ? n : 1;
}

/** `path?k=v` with empty values and page 1 left out, so canonical URLs stay short. */
export function hrefWith(path: string, params: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === "" || (k === "page" && v === 1)) continue;
    qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}
