/**
 * Access control for the signal mutations and the TradingView webhook settings: anonymous callers are
 * UNAUTHORIZED, subscribers and admins FORBIDDEN, and a provider acting on another provider's signal gets the same
 * NOT_FOUND as for a missing one, with nothing changed. The owner's own calls succeed (so the refusals above are
 * about who is calling, not about the input).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { callerFor, signedIn, trpcCode } from "@/test/factories";
import { newProvider } from "@/test/signals";
import { db } from "@/server/db";
import { auditLog, providers, signalEvents, signals } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";

useTestDatabase();
const market = useFakeMarket();
beforeEach(async () => {
  resetRateLimits();
  await waitForInlineRuns();
});

type Caller = Awaited<ReturnType<typeof callerFor>>;

const publishInput = { symbol: "BTC/USDT", side: "long" as const, stopLoss: "31000", takeProfits: [{ price: "34000", share: "1" }] };

const mutations: Record<string, (c: Caller, id: string) => Promise<unknown>> = {
  "signals.publish": (c) => c.signals.publish(publishInput),
  "signals.moveStop": (c, id) => c.signals.moveStop({ id, stopLoss: "31500" }),
  "signals.close": (c, id) => c.signals.close({ id }),
  "signals.cancel": (c, id) => c.signals.cancel({ id }),
  "providers.rotateWebhook": (c) => c.providers.rotateWebhook(),
  "providers.setWebhookPassphrase": (c) => c.providers.setWebhookPassphrase({ passphrase: "long enough phrase" }),
};
const providerQueries: Record<string, (c: Caller) => Promise<unknown>> = {
  "signals.mine": (c) => c.signals.mine({}),
  "providers.webhook": (c) => c.providers.webhook(),
};

/** Everything a refused call must leave as it was. */
async function state() {
  const [[s], [e], [a], rows, provs] = await Promise.all([
    db.select({ n: count() }).from(signals),
    db.select({ n: count() }).from(signalEvents),
    db.select({ n: count() }).from(auditLog),
    db.select().from(signals).orderBy(signals.id),
    db.select({ id: providers.id, token: providers.webhookTokenHash, passphrase: providers.webhookPassphraseEnc }).from(providers).orderBy(providers.id),
  ]);
  return { signals: s!.n, events: e!.n, audit: a!.n, rows, provs };
}

async function ownerWithSignals() {
  const a = await newProvider();
  await a.caller.providers.rotateWebhook();
  const open = (await a.caller.signals.publish(publishInput)).signal;
  const pending = (await a.caller.signals.publish({ ...publishInput, entryType: "limit", entryPrice: "31800", stopLoss: "31000" })).signal;
  return { a, open, pending };
}

describe("signed-out and non-provider callers", () => {
  for (const [role, code] of [
    [null, "UNAUTHORIZED"],
    ["subscriber", "FORBIDDEN"],
    ["admin", "FORBIDDEN"],
  ] as const) {
    const who = role ?? "anonymous";
    for (const [name, call] of Object.entries(mutations)) {
      it(`${who}: ${code} on ${name}, and nothing changes`, async () => {
        const { open, pending } = await ownerWithSignals();
        const caller = role ? (await signedIn(role)).caller : await callerFor(null);
        const before = await state();
        expect(await trpcCode(call(caller, name === "signals.cancel" ? pending.id : open.id))).toBe(code);
        expect(await state()).toEqual(before);
      });
    }
    for (const [name, call] of Object.entries(providerQueries)) {
      it(`${who}: ${code} on ${name}`, async () => {
        const caller = role ? (await signedIn(role)).caller : await callerFor(null);
        expect(await trpcCode(call(caller))).toBe(code);
      });
    }
  }
});

describe("another provider", () => {
  it("gets NOT_FOUND moving, closing or cancelling provider A's signal, exactly as for a missing one, and nothing changes", async () => {
    const { open, pending } = await ownerWithSignals();
    const b = await newProvider();
    const before = await state();
    const attempts: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      ["moveStop", () => b.caller.signals.moveStop({ id: open.id, stopLoss: "31500" }), () => b.caller.signals.moveStop({ id: "sig_missing", stopLoss: "31500" })],
      ["moveStop (pending)", () => b.caller.signals.moveStop({ id: pending.id, stopLoss: "31100" }), () => b.caller.signals.moveStop({ id: "sig_missing", stopLoss: "31100" })],
      ["close", () => b.caller.signals.close({ id: open.id }), () => b.caller.signals.close({ id: "sig_missing" })],
      ["close (partial)", () => b.caller.signals.close({ id: open.id, share: "0.5" }), () => b.caller.signals.close({ id: "sig_missing", share: "0.5" })],
      ["cancel", () => b.caller.signals.cancel({ id: pending.id }), () => b.caller.signals.cancel({ id: "sig_missing" })],
    ];
    for (const [name, theirs, missing] of attempts) {
      const [x, y] = await Promise.all([theirs().catch((e: Error) => e), missing().catch((e: Error) => e)]);
      expect(x, name).toMatchObject({ code: "NOT_FOUND", message: "No signal with that id" });
      expect((y as Error).message, name).toBe((x as Error).message);
    }
    expect(await state()).toEqual(before);
    expect((await b.caller.signals.mine({})).items).toEqual([]);
  });

  it("rotating its own webhook or passphrase leaves provider A's untouched", async () => {
    const { a } = await ownerWithSignals();
    const b = await newProvider();
    const aBefore = await db.query.providers.findFirst({ where: eq(providers.id, a.provider.id) });
    await b.caller.providers.rotateWebhook();
    await b.caller.providers.setWebhookPassphrase({ passphrase: "b's own phrase" });
    const aAfter = await db.query.providers.findFirst({ where: eq(providers.id, a.provider.id) });
    expect({ token: aAfter!.webhookTokenHash, passphrase: aAfter!.webhookPassphraseEnc }).toEqual({ token: aBefore!.webhookTokenHash, passphrase: null });
    expect(await a.caller.providers.webhook()).toMatchObject({ configured: true, passphrase: false });
    expect(await b.caller.providers.webhook()).toMatchObject({ configured: true, passphrase: true });
  });
});

describe("the owner", () => {
  it("can move, partly close, close and cancel its own signals, each one chain entry and one audit row", async () => {
    const { a, open, pending } = await ownerWithSignals();
    const before = await state();
    expect(await a.caller.signals.moveStop({ id: open.id, stopLoss: "31500" })).toMatchObject({ stopLoss: "31500", initialStop: "31000" });
    market.setPrice("BTC/USDT", "32500");
    expect(await a.caller.signals.close({ id: open.id, share: "0.5" })).toMatchObject({ status: "open", remaining: "0.5" });
    expect(await a.caller.signals.close({ id: open.id })).toMatchObject({ status: "closed", remaining: "0", exitPrice: "32500" });
    expect(await a.caller.signals.cancel({ id: pending.id })).toMatchObject({ status: "cancelled" });
    const after = await state();
    expect([after.events - before.events, after.audit - before.audit]).toEqual([4, 4]);
    const actions = (await db.select({ action: auditLog.action }).from(auditLog)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["signal.stop_moved", "signal.partial_close", "signal.closed", "signal.cancelled"]));
  });

  it("gets a conflict, with a message, for changes the signal's state does not allow", async () => {
    const { a, open, pending } = await ownerWithSignals();
    await expect(a.caller.signals.cancel({ id: open.id })).rejects.toMatchObject({ code: "CONFLICT", message: "This signal is already filled: close it instead." });
    await expect(a.caller.signals.close({ id: pending.id })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/cancel it instead/) });
    await expect(a.caller.signals.moveStop({ id: open.id, stopLoss: "33000" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/stop must stay below the current price/) });
    await expect(a.caller.signals.moveStop({ id: open.id, stopLoss: "31000" })).rejects.toMatchObject({ code: "CONFLICT", message: "The stop is already at that price." });
    await expect(a.caller.signals.close({ id: open.id, share: "0" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await a.caller.signals.close({ id: open.id });
    await expect(a.caller.signals.close({ id: open.id })).rejects.toMatchObject({ code: "CONFLICT", message: "This signal is already closed." });
    await expect(a.caller.signals.moveStop({ id: open.id, stopLoss: "31200" })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/closed; its stop can no longer move/) });
  });
});
