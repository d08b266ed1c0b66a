import { describe, expect, it } from "vitest";
import { fieldErrorsFromZod } from "@/lib/validation/field-errors";
import { publishSignalSchema } from "@/lib/validation/signals";
import {
  evenSizes,
  placeServerErrors,
  publishFormDefaults,
  publishFormSchema,
  sizesUntouched,
  toPublishInput,
  withTakeProfitAdded,
  withTakeProfitRemoved,
  type PublishFormContext,
  type PublishFormValues,
} from "./publish-form-schema";

const market: PublishFormContext = { chosenSymbol: "BTC/USDT", marketPrice: "30000" };
const values = (patch: Partial<PublishFormValues>): PublishFormValues => ({ ...publishFormDefaults(), symbol: "BTC/USDT", ...patch });

/** The messages by form path ("takeProfits.1.size"), as the resolver hands them to the form. */
function issues(v: PublishFormValues, context = market): Record<string, string> {
  const result = publishFormSchema(context).safeParse(v);
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
}

describe("publish form schema", () => {
  it("outputs the publish input the form sends: the live quote as a market entry, sizes as shares, empty rows left out", () => {
    const result = publishFormSchema(market).safeParse(
      values({
        stopLoss: " 29500 ",
        takeProfits: [
          { price: "", size: "" },
          { price: "32000.50", size: "50" },
          { price: "34000", size: "25%" },
        ],
        note: "  Breakout  ",
      }),
    );
    expect(result.success).toBe(true);
    expect(result.data).toEqual({
      symbol: "BTC/USDT",
      side: "long",
      entryType: "market",
      entryPrice: "30000",
      stopLoss: "29500",
      takeProfits: [
        { price: "32000.50", share: "0.5" },
        { price: "34000", share: "0.25" },
      ],
      note: "Breakout",
      expiresInHours: undefined,
    });
  });

  it("sends a limit entry's own price and its expiry in hours", () => {
    const result = publishFormSchema({ chosenSymbol: null, marketPrice: null }).safeParse(
      values({ symbol: " eth/usdt ", entryType: "limit", entryPrice: "1800", expiresInHours: "72" }),
    );
    expect(result.data).toMatchObject({ symbol: "eth/usdt", entryType: "limit", entryPrice: "1800", expiresInHours: 72 });
  });

  it("reports the form's own checks together, in the form's words", () => {
    expect(
      issues(
        values({
          symbol: "  ",
          takeProfits: [
            { price: "32000", size: "" },
            { price: "", size: "60" },
            { price: "35000", size: "150" },
          ],
        }),
        { chosenSymbol: null, marketPrice: null },
      ),
    ).toEqual({
      symbol: "Choose a symbol",
      "takeProfits.0.size": "Enter the % of the position closed here",
      "takeProfits.1.price": "Enter the price of take-profit 2",
      "takeProfits.2.size": "A size is a % between 0 and 100, like 50",
    });
    expect(issues(values({ takeProfits: [{ price: "32000", size: "60" }, { price: "33000", size: "50" }] }))).toEqual({
      takeProfits: "Take-profit sizes add up to 110%; at most 100% of the position can be closed",
    });
  });

  it("waits for the market price of a market entry", () => {
    expect(issues(values({}), { chosenSymbol: "BTC/USDT", marketPrice: null })).toEqual({ entryPrice: "Waiting for the market price; try again in a moment" });
    expect(issues(values({ entryType: "limit", entryPrice: "29000" }), { chosenSymbol: "BTC/USDT", marketPrice: null })).toEqual({});
  });

  it("applies the shared rules, each on the field that shows it (a take-profit on its row, not its place in the input)", () => {
    expect(
      issues(
        values({
          stopLoss: "abc",
          takeProfits: [
            { price: "", size: "" },
            { price: "0", size: "50" },
          ],
        }),
      ),
    ).toEqual({
      stopLoss: "Stop-loss must be a positive number like 32045.14",
      "takeProfits.1.price": "Take-profit price must be greater than zero",
    });
    expect(issues(values({ entryType: "limit" }))).toEqual({ entryPrice: "A limit entry needs an entry price" });
    expect(issues(values({ takeProfits: [{ price: "32000", size: "50" }, { price: "32000.0", size: "50" }] }))).toEqual({
      takeProfits: "Two take-profit levels have the same price",
    });
  });

  it("gives the server's messages for what it sends", () => {
    const v = values({ stopLoss: "1e5", note: "x".repeat(1001) });
    const server = publishSignalSchema.safeParse(toPublishInput(v, market));
    expect(server.success).toBe(false);
    expect(issues(v)).toEqual({ stopLoss: "Stop-loss must be a positive number like 32045.14", note: "Keep the note under 1,000 characters" });
    expect(fieldErrorsFromZod(server.error!)).toEqual({ stopLoss: [issues(v).stopLoss], note: [issues(v).note] });
  });
});

describe("take-profit sizes", () => {
  const rows = (...levels: [string, string][]) => levels.map(([price, size]) => ({ price, size }));
  const percentSum = (sizes: string[]) => sizes.reduce((a, s) => a + Number(s), 0);

  it("split 100% evenly in whole percents, adding up to exactly 100", () => {
    expect(evenSizes(1)).toEqual(["100"]);
    expect(evenSizes(2)).toEqual(["50", "50"]);
    expect(evenSizes(3)).toEqual(["34", "33", "33"]);
    expect(evenSizes(6)).toEqual(["17", "17", "17", "17", "16", "16"]);
    for (let n = 1; n <= 12; n++) expect(percentSum(evenSizes(n))).toBe(100);
    expect(evenSizes(0)).toEqual([]);
  });

  it("start as one level closing the whole position, which a signal with a target price sends as is", () => {
    expect(publishFormDefaults().takeProfits).toEqual([{ price: "", size: "100" }]);
    const v = values({ takeProfits: [{ ...publishFormDefaults().takeProfits[0]!, price: "32000" }] });
    const result = publishFormSchema(market).safeParse(v);
    expect(result.success).toBe(true);
    expect(result.data?.takeProfits).toEqual([{ price: "32000", share: "1" }]);
  });

  it("send no take-profit while no level has a price and the sizes are the form's own", () => {
    expect(publishFormSchema(market).safeParse(values({})).data?.takeProfits).toEqual([]);
    expect(publishFormSchema(market).safeParse(values({ takeProfits: rows(["", "50"], ["", "50"]) })).data?.takeProfits).toEqual([]);
    // A level added and left without a price, next to one with a price, is a level forgotten, not a level dropped.
    expect(issues(values({ takeProfits: rows(["32000", "50"], ["", "50"]) }))).toEqual({ "takeProfits.1.price": "Enter the price of take-profit 2" });
    // A size the person typed without a price is still asked for its price.
    expect(issues(values({ takeProfits: rows(["", "60"]) }))).toEqual({ "takeProfits.0.price": "Enter the price of take-profit 1" });
  });

  it("split again as levels are added and removed, keeping the prices typed", () => {
    const two = withTakeProfitAdded(rows(["32000", "100"]));
    expect(two).toEqual(rows(["32000", "50"], ["", "50"]));
    const three = withTakeProfitAdded(rows(["32000", "50"], ["33000", "50"]));
    expect(three).toEqual(rows(["32000", "34"], ["33000", "33"], ["", "33"]));
    expect(withTakeProfitRemoved(three, 0)).toEqual(rows(["33000", "50"], ["", "50"]));
    expect(withTakeProfitRemoved(rows(["32000", "50"], ["33000", "50"]), 1)).toEqual(rows(["32000", "100"]));
    expect(withTakeProfitRemoved(rows(["32000", "100"]), 0)).toEqual(rows(["", "100"]));
    expect(sizesUntouched(three)).toBe(true);
  });

  it("keep the sizes a person chose: a new level gets what is left of the position, a removal re-splits nothing", () => {
    expect(sizesUntouched(rows(["32000", "70"]))).toBe(false);
    expect(withTakeProfitAdded(rows(["32000", "70"]))).toEqual(rows(["32000", "70"], ["", "30"]));
    expect(withTakeProfitAdded(rows(["32000", "60"], ["33000", "12.5"]))).toEqual(rows(["32000", "60"], ["33000", "12.5"], ["", "27.5"]));
    // Nothing left: the new level's size is for the person to decide (the form asks for it if a price is set).
    expect(withTakeProfitAdded(rows(["32000", "80"], ["33000", "20"]))).toEqual(rows(["32000", "80"], ["33000", "20"], ["", ""]));
    expect(withTakeProfitRemoved(rows(["32000", "80"], ["33000", "20"]), 1)).toEqual(rows(["32000", "80"]));
  });
});

describe("server errors on the form", () => {
  it("puts a take-profit message on the row it names, other ones on the levels, the first message of a field", () => {
    const v = values({ takeProfits: [{ price: "", size: "" }, { price: "1", size: "100" }] });
    const placed = placeServerErrors(
      {
        stopLoss: ["Stop-loss must be below the entry (30000) for a long", "second"],
        takeProfits: ["Take-profit 1 (1) must be above the entry (30000) for a long", "Two take-profit levels have the same price"],
        idempotencyKey: ["Idempotency keys are at most 128 characters"],
      },
      v,
    );
    expect(Object.fromEntries(placed!)).toEqual({
      stopLoss: "Stop-loss must be below the entry (30000) for a long",
      "takeProfits.1.price": "Take-profit 1 (1) must be above the entry (30000) for a long",
      "takeProfits.root": "Two take-profit levels have the same price",
    });
  });

  it("says when no message is for a field of the form", () => {
    expect(placeServerErrors({ idempotencyKey: ["Idempotency keys are at most 128 characters"] }, values({}))).toBeNull();
    expect(placeServerErrors({}, values({}))).toBeNull();
  });
});
