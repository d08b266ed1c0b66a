/**
 * The one rule for text arriving from outside, applied once at each edge (the tRPC procedure ladder, the REST JSON
 * reader and route parameters, the sign-in/sign-up forms, the TradingView alert parser): no string, value or object
 * key, may hold a control character or broken UTF-16.
 *
 * Why refuse rather than strip: PostgreSQL cannot store NUL in text ("invalid byte sequence 0x00") nor `\u0000` or
 * an unpaired surrogate in jsonb, so such input became a 500; the other C0/C1 controls are invisible, never typed by
 * people, and turn names and notes into look-alikes. Silently editing what someone sent would store something they
 * did not write (and could make two different inputs one), so the request is refused with the field named.
 *
 * Allowed: tab, line feed and carriage return (notes, bios and text alerts have lines), and every other code point,
 * emoji and other astral characters included.
 */

export interface UnsafeText {
  /** Where the string sits in the input: object keys and array indexes from the top. */
  path: (string | number)[];
  /** The problem is in an object key at `path` (the key is the path's last element), not in a value. */
  inKey: boolean;
  /** The offending UTF-16 code unit (a control character, or half of a surrogate pair). */
  codeUnit: number;
}

// C0 controls except \t \n \r, DEL, C1 controls; then a high surrogate not followed by a low one, or a low
// surrogate not preceded by a high one. No `u` flag: the class must see lone surrogates as code units.
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first unsafe code unit of `s`, or null when the text is clean. */
export function unsafeCodeUnit(s: string): number | null {
  const m = UNSAFE.exec(s);
  return m ? m[0].charCodeAt(0) : null;
}

export function isSafeText(s: string): boolean {
  return !UNSAFE.test(s);
}

/**
 * Finds the first string in `value` (itself, or inside arrays, plain objects, Maps and Sets, keys included) that
 * breaks the rule. Iterative, with each node pointing at its parent (the path is only built for the refusal), so a
 * deeply nested body costs linear time and cannot overflow the stack; shared objects are visited once.
 */
export function findUnsafeText(value: unknown): UnsafeText | null {
  interface Node {
    v: unknown;
    key: string | number | null;
    parent: Node | null;
  }
  const pathOf = (node: Node | null, last?: string): (string | number)[] => {
    const out: (string | number)[] = last === undefined ? [] : [last];
    for (let n = node; n && n.key !== null; n = n.parent) out.push(n.key);
    return out.reverse();
  };
  const stack: Node[] = [{ v: value, key: null, parent: null }];
  const seen = new Set<object>();
  while (stack.length) {
    const node = stack.pop()!;
    const v = node.v;
    if (typeof v === "string") {
      const codeUnit = unsafeCodeUnit(v);
      if (codeUnit !== null) return { path: pathOf(node), inKey: false, codeUnit };
      continue;
    }
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    // Children are pushed in reverse so the first one is checked first (stable, readable refusals).
    if (Array.isArray(v) || v instanceof Set) {
      const items = [...v];
      for (let i = items.length - 1; i >= 0; i--) stack.push({ v: items[i], key: i, parent: node });
    } else if (v instanceof Map) {
      const entries = [...v.entries()];
      for (const [k] of entries) {
        const codeUnit = typeof k === "string" ? unsafeCodeUnit(k) : null;
        if (codeUnit !== null) return { path: pathOf(node, k as string), inKey: true, codeUnit };
      }
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, item] = entries[i]!;
        stack.push({ v: item, key: typeof k === "string" ? k : i, parent: node });
        if (typeof k !== "string") stack.push({ v: k, key: i, parent: node });
      }
    } else if (isPlainObject(v)) {
      const keys = Object.keys(v);
      for (const k of keys) {
        const codeUnit = unsafeCodeUnit(k);
        if (codeUnit !== null) return { path: pathOf(node, k), inKey: true, codeUnit };
      }
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ v: (v as Record<string, unknown>)[keys[i]!], key: keys[i]!, parent: node });
    }
  }
  return null;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** "U+0000" */
export function codePointLabel(codeUnit: number): string {
  return `U+${codeUnit.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** "displayName" -> "Display name", "q" -> "Q"; the label a refusal uses for the field. */
export function fieldLabel(path: readonly (string | number)[]): string {
  const last = [...path].reverse().find((p): p is string => typeof p === "string");
  if (last === undefined) return "The input";
  const words = last
    .replace(/[_-]+/g, " ")
    .replace(/([a-z\d])([A-Z])/g, "$1 $2")
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : "A field";
}

/** What is wrong, for people: "Name contains a control character (U+0000), which is not allowed. Remove it and try again." */
export function unsafeTextMessage(problem: UnsafeText, subject?: string): string {
  const what = subject ?? (problem.inKey ? "A field name" : fieldLabel(problem.path));
  const kind = problem.codeUnit >= 0xd800 && problem.codeUnit <= 0xdfff ? "an invalid character" : "a control character";
  return `${what} contains ${kind} (${codePointLabel(problem.codeUnit)}), which is not allowed. Remove it and try again.`;
}

// Keys that must not name a field in an answer: superjson refuses to serialise an object holding them (tRPC's
// error would become a 500), and they are prototype keys wherever the answer is merged into an object.
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The top-level field a refusal belongs to, for per-field form errors (the convention of zod's flattenError), or
 * "input" when there is none or the caller chose a reserved key.
 */
export function unsafeTextField(problem: UnsafeText): string {
  const first = problem.path[0];
  return first === undefined || RESERVED_KEYS.has(String(first)) ? "input" : String(first);
}

/** `{ message, fieldErrors }` for the first unsafe string in `value`, or null when all text is clean. */
export function unsafeTextRefusal(value: unknown, subject?: string): { message: string; field: string; fieldErrors: Record<string, string[]> } | null {
  const problem = findUnsafeText(value);
  if (!problem) return null;
  const message = unsafeTextMessage(problem, subject);
  const field = unsafeTextField(problem);
  return { message, field, fieldErrors: { [field]: [message] } };
}
