/**
 * Signal procedures with a price that is not a number (issue 9, defect 3): a BAD_REQUEST whose message is written
 * for people (never decimal.js's "[DecimalError] Invalid argument"), checked before the signal is looked up, so a
 * malformed stop on another provider's signal is the same 400 as on one's own (it tells nothing about the id) and
 * nothing changes.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { newProvider, rowCounts } from "@/test/signals";
import { resetRateLimits } from "@/server/rate-limit";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";

useTestDatabase();
useFakeMarket();
beforeEach(async () => {
  resetRateLimits();
  await waitForInlineRuns();
});

const publishInput = { symbol: "BTC/USDT", side: "long" as const, stopLoss: "31000", takeProfits: [{ price: "34000", share: "1" }] };

async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCError) return { status: getHTTPStatusCodeFromError(err), code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("a price that is not a number", () => {
  it("signals.publish: BAD_REQUEST with a message for people, no DecimalError", async () => {
    const a = await newProvider();
    const before = await rowCounts();
    for (const stopLoss of ["abc", "1.2.3", "١٢٣", " "]) {
      const r = await refusal(a.caller.signals.publish({ ...publishInput, stopLoss }));
      expect(r, stopLoss).toMatchObject({ status: 400, code: "BAD_REQUEST" });
      expect(r.message, stopLoss).toMatch(/Stop-loss must be a positive number/);
      expect(r.message, stopLoss).not.toMatch(/DecimalError/);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("signals.moveStop: the same 400 on one's own signal, another provider's and a missing one; nothing changes", async () => {
    const a = await newProvider();
    const b = await newProvider();
    const theirs = (await a.caller.signals.publish(publishInput)).signal;
    const mine = (await b.caller.signals.publish(publishInput)).signal;
    const before = await rowCounts();
    for (const id of [theirs.id, mine.id, "sig_missing"]) {
      const r = await refusal(b.caller.signals.moveStop({ id, stopLoss: "abc" }));
      expect(r, id).toMatchObject({ status: 400, code: "BAD_REQUEST" });
      expect(r.message, id).toMatch(/Stop-loss must be a positive number/);
      expect(r.message, id).not.toMatch(/DecimalError/);
    }
    expect(await rowCounts()).toEqual(before);
  });
});
