/**
 * Rules documents as JSON text, for the builder's import/export and for storage: one canonical form, so that
 * exporting, importing and exporting again gives the same text (and equal documents give equal text, which makes
 * them diffable and hashable).
 */
import { formatPath, parseRules, type ParseResult, type RulesDocument } from "./schema";

/**
 * The order keys are written in: the order a person reads a document (what it is, then the rules, each rule's
 * condition before its action, a condition's left side before its op). Keys not listed (indicator parameters) follow
 * in code-point order.
 */
const KEY_ORDER = [
  "version", "name", "description", "rules", "risk",
  "when", "then",
  "all", "any",
  "left", "op", "right",
  "indicator", "price", "const", "params", "output", "offset",
  "type", "stop",
  "targets", "size", "atrPeriod",
  "percent", "atr", "r", "share", "fraction", "quantity", "riskPercent",
];
const RANK = new Map(KEY_ORDER.map((k, i) => [k, i]));

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v !== "object" || v === null) return v;
  const keys = Object.keys(v).sort((a, b) => {
    const ra = RANK.get(a) ?? Infinity;
    const rb = RANK.get(b) ?? Infinity;
    return ra !== rb ? ra - rb : a < b ? -1 : a > b ? 1 : 0;
  });
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = canonical((v as Record<string, unknown>)[k]);
  return out;
}

/** The document as canonical, indented JSON text. */
export function exportRules(doc: RulesDocument): string {
  return `${JSON.stringify(canonical(doc), null, 2)}\n`;
}

/** Reads JSON text and checks it; a syntax error comes back as an error at the document's root, never as a throw. */
export function importRules(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [{ path: formatPath([]), message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  return parseRules(json);
}
