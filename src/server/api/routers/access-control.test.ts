/**
 * The procedure ladder, checked procedure by procedure: anonymous callers get UNAUTHORIZED on everything
 * protected; subscribers get FORBIDDEN on provider and admin procedures; providers get FORBIDDEN on admin ones.
 */
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "@/test/db";
import { callerFor, signedIn, trpcCode } from "@/test/factories";

useTestDatabase();

type Caller = Awaited<ReturnType<typeof callerFor>>;
type Call = (c: Caller) => Promise<unknown>;

const protectedCalls: Record<string, Call> = {
  "account.me": (c) => c.account.me(),
  "account.updateProfile": (c) => c.account.updateProfile({ name: "Someone" }),
  "account.changePassword": (c) => c.account.changePassword({ currentPassword: "x", newPassword: "long enough password" }),
  "account.notificationPrefs": (c) => c.account.notificationPrefs(),
  "account.updateNotificationPrefs": (c) => c.account.updateNotificationPrefs({ signalEmails: false, digestEmails: false, productEmails: false }),
  "auth.completeOnboarding": (c) => c.auth.completeOnboarding({ role: "subscriber", acceptDisclaimer: true, acceptTerms: true }),
  "auth.resendVerification": (c) => c.auth.resendVerification({}),
  "subscriptions.mine": (c) => c.subscriptions.mine(),
  "signals.quote": (c) => c.signals.quote({ symbol: "BTC/USDT" }),
  "signals.feed": (c) => c.signals.feed({ sinceDays: 30, limit: 10 }),
  "billing.checkout": (c) => c.billing.checkout({ providerId: "prv_x" }),
  "billing.checkoutResult": (c) => c.billing.checkoutResult({ sessionId: "cs_x" }),
  "billing.manage": (c) => c.billing.manage({ subscriptionId: "sub_x", action: "cancel" }),
  "billing.portal": (c) => c.billing.portal(),
  "billing.freeTier": (c) => c.billing.freeTier(),
};

const providerCalls: Record<string, Call> = {
  "apiKeys.list": (c) => c.apiKeys.list(),
  "apiKeys.create": (c) => c.apiKeys.create({ name: "bot" }),
  "apiKeys.revoke": (c) => c.apiKeys.revoke({ id: "key_whatever" }),
  "providers.mine": (c) => c.providers.mine(),
  "subscriptions.subscribers": (c) => c.subscriptions.subscribers(),
  "signals.mine": (c) => c.signals.mine({ page: 1, pageSize: 10 }),
  "signals.publish": (c) => c.signals.publish({ symbol: "BTC/USDT", side: "long", entryType: "market", takeProfits: [], note: "" }),
  "signals.moveStop": (c) => c.signals.moveStop({ id: "sig_x", stopLoss: "1" }),
  "signals.close": (c) => c.signals.close({ id: "sig_x" }),
  "signals.cancel": (c) => c.signals.cancel({ id: "sig_x" }),
  "providers.webhook": (c) => c.providers.webhook(),
  "providers.rotateWebhook": (c) => c.providers.rotateWebhook(),
  "providers.setWebhookPassphrase": (c) => c.providers.setWebhookPassphrase({ passphrase: "long passphrase" }),
  "providers.updateMine": (c) => c.providers.updateMine({ displayName: "Name", tagline: "", bio: "", markets: ["crypto"] }),
  "billing.payouts": (c) => c.billing.payouts(),
  "billing.startOnboarding": (c) => c.billing.startOnboarding(),
  "billing.refreshAccount": (c) => c.billing.refreshAccount(),
  "billing.setPrice": (c) => c.billing.setPrice({ priceCents: 500, trialDays: 0 }),
  "billing.revenue": (c) => c.billing.revenue({ page: 1 }),
};

const adminCalls: Record<string, Call> = {
  "admin.overview": (c) => c.admin.overview(),
  "admin.users": (c) => c.admin.users({ page: 1, pageSize: 10 }),
  "admin.setRole": (c) => c.admin.setRole({ userId: "usr_x", role: "admin" }),
  "admin.emails": (c) => c.admin.emails({ page: 1, pageSize: 10 }),
  "admin.email": (c) => c.admin.email({ id: "eml_x" }),
  "admin.audit": (c) => c.admin.audit({ page: 1, pageSize: 10 }),
  "billing.platformRevenue": (c) => c.billing.platformRevenue({ months: 12 }),
};


describe("anonymous callers", () => {
  const all = { ...protectedCalls, ...providerCalls, ...adminCalls };
  for (const [name, call] of Object.entries(all)) {
    it(`get UNAUTHORIZED on ${name}`, async () => {
      const anon = await callerFor(null);
      expect(await trpcCode(call(anon))).toBe("UNAUTHORIZED");
    });
  }

  it("can read the public marketplace", async () => {
    const anon = await callerFor(null);
    await expect(anon.providers.list({ page: 1, pageSize: 12 })).resolves.toMatchObject({ total: 0, items: [] });
  });
});

describe("subscribers", () => {
  for (const [name, call] of Object.entries({ ...providerCalls, ...adminCalls })) {
    it(`get FORBIDDEN on ${name}`, async () => {
      const { caller } = await signedIn("subscriber");
      expect(await trpcCode(call(caller))).toBe("FORBIDDEN");
    });
  }
});

describe("providers", () => {
  for (const [name, call] of Object.entries(adminCalls)) {
    it(`get FORBIDDEN on ${name}`, async () => {
      const { caller } = await signedIn("provider");
      expect(await trpcCode(call(caller))).toBe("FORBIDDEN");
    });
  }
});

describe("admins", () => {
  it("pass the admin gate", async () => {
    const { caller } = await signedIn("admin");
    await expect(caller.admin.overview()).resolves.toMatchObject({ admins: 1 });
  });
});
