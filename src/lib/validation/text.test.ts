import { describe, expect, it } from "vitest";
import { fieldLabel, findUnsafeText, isSafeText, unsafeTextMessage, unsafeTextRefusal } from "./text";

describe("isSafeText", () => {
  it("refuses every C0 control but tab, LF and CR, DEL and every C1 control", () => {
    for (let c = 0; c <= 0x9f; c++) {
      const ch = String.fromCharCode(c);
      const expected = c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c < 0x7f);
      expect(isSafeText(`a${ch}b`), `U+${c.toString(16)}`).toBe(expected);
    }
  });

  it("refuses unpaired surrogates (PostgreSQL's jsonb cannot hold them) and keeps real pairs", () => {
    expect(isSafeText("\ud800")).toBe(false);
    expect(isSafeText("x\udc00y")).toBe(false);
    expect(isSafeText("\udc00\ud800")).toBe(false);
    expect(isSafeText("🚀 𝔘 \ud83d\ude80")).toBe(true);
  });

  it("keeps ordinary Unicode text", () => {
    for (const s of ["", "Zoë", "Ångström", "مرحبا", "你好", "line\nbreak\ttab\r\n", "\u00a0no-break space", "\u200bzero width", "\ufeffBOM"]) {
      expect(isSafeText(s), JSON.stringify(s)).toBe(true);
    }
  });
});

describe("findUnsafeText", () => {
  it("finds the first problem in values and keys, however deep, with its path", () => {
    expect(findUnsafeText({ a: "ok", b: [1, { c: "x\u0000" }] })).toEqual({ path: ["b", 1, "c"], inKey: false, codeUnit: 0 });
    expect(findUnsafeText({ a: { ["k\u0007"]: 1 } })).toEqual({ path: ["a", "k\u0007"], inKey: true, codeUnit: 7 });
    expect(findUnsafeText(["ok", "\u001b[31m"])).toEqual({ path: [1], inKey: false, codeUnit: 0x1b });
    expect(findUnsafeText("\u0085")).toEqual({ path: [], inKey: false, codeUnit: 0x85 });
    expect(findUnsafeText(new Map([["k", new Set(["\u0000"])]]))).toEqual({ path: ["k", 0], inKey: false, codeUnit: 0 });
  });

  it("reports the first problem in document order", () => {
    expect(findUnsafeText({ first: "\u0001", second: "\u0002" })?.path).toEqual(["first"]);
    expect(findUnsafeText(["\u0003", "\u0004"])?.codeUnit).toBe(3);
  });

  it("passes clean input of every JSON kind, and ignores non-text values", () => {
    expect(findUnsafeText({ a: 1, b: null, c: true, d: [1.5, "x"], e: undefined, f: new Date(), g: 10n })).toBeNull();
    expect(findUnsafeText(undefined)).toBeNull();
  });

  it("survives nesting far deeper than the call stack, and shared or cyclic objects", () => {
    let deep: unknown = "\u0000";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafeText(deep)?.codeUnit).toBe(0);
    const cyclic: Record<string, unknown> = { a: "ok" };
    cyclic.self = cyclic;
    expect(findUnsafeText(cyclic)).toBeNull();
  });
});

describe("messages", () => {
  it("name the field for people", () => {
    expect(fieldLabel(["name"])).toBe("Name");
    expect(fieldLabel(["displayName"])).toBe("Display name");
    expect(fieldLabel(["takeProfits", 0, "price"])).toBe("Price");
    expect(fieldLabel(["stop_loss"])).toBe("Stop loss");
    expect(fieldLabel([])).toBe("The input");
    expect(unsafeTextMessage({ path: ["name"], inKey: false, codeUnit: 0 })).toBe("Name contains a control character (U+0000), which is not allowed. Remove it and try again.");
    expect(unsafeTextMessage({ path: ["bio"], inKey: false, codeUnit: 0xd800 })).toMatch(/^Bio contains an invalid character \(U\+D800\)/);
    expect(unsafeTextMessage({ path: ["x\u0000"], inKey: true, codeUnit: 0 })).toMatch(/^A field name contains a control character/);
    expect(unsafeTextMessage({ path: [], inKey: false, codeUnit: 1 }, "The provider name")).toMatch(/^The provider name contains a control character \(U\+0001\)/);
  });

  it("put the refusal under the top-level field, like zod's flattenError", () => {
    expect(unsafeTextRefusal({ takeProfits: [{ price: "1\u0000" }] })).toEqual({
      message: expect.stringMatching(/^Price contains/),
      field: "takeProfits",
      fieldErrors: { takeProfits: [expect.stringMatching(/^Price contains/)] },
    });
    expect(unsafeTextRefusal({ ok: "fine" })).toBeNull();
  });

  it("never name a reserved key as the field (superjson refuses to send such an object back)", () => {
    for (const key of ["constructor", "__proto__", "prototype"]) {
      const input = JSON.parse(`{"${key}": "x\\u0001"}`) as unknown;
      expect(unsafeTextRefusal(input)?.field, key).toBe("input");
    }
  });
});
