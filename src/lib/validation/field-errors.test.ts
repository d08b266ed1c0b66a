import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fieldErrorsFromZod, firstFieldError } from "./field-errors";

const schema = z
  .object({
    name: z.string().min(2, "Enter a name"),
    takeProfits: z.array(z.object({ price: z.string().regex(/^\d+$/, "Enter a price") })),
  })
  .refine((v) => v.name !== "root", "Not that one");

describe("fieldErrorsFromZod", () => {
  it("reports each issue under its top-level field, in the schema's order, and leaves out issues about the whole value", () => {
    const result = schema.safeParse({ name: "a", takeProfits: [{ price: "1" }, { price: "x" }] });
    expect(result.success).toBe(false);
    expect(fieldErrorsFromZod(result.error!)).toEqual({ name: ["Enter a name"], takeProfits: ["Enter a price"] });
    const root = schema.safeParse({ name: "root", takeProfits: [] });
    expect(fieldErrorsFromZod(root.error!)).toEqual({});
  });
});

describe("firstFieldError", () => {
  it("is the first message of the first field that has one", () => {
    expect(firstFieldError({ a: [], b: ["B1", "B2"], c: ["C"] })).toBe("B1");
    expect(firstFieldError({ a: undefined })).toBeUndefined();
    expect(firstFieldError({})).toBeUndefined();
  });
});
