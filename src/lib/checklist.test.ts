import { describe, expect, it } from "vitest";
import { profileComplete, progress, providerChecklist, traderChecklist, type ProviderFacts, type TraderFacts } from "./checklist";

const states = (steps: { id: string; state: string }[]) => Object.fromEntries(steps.map((s) => [s.id, s.state]));

describe("trader checklist", () => {
  const fresh: TraderFacts = { emailVerified: false, subscriptions: [], freeCopies: { used: 0, limit: 4 } };

  it("starts with the email and provider steps to do and the paper step as information", () => {
    expect(states(traderChecklist(fresh))).toEqual({ email: "todo", provider: "todo", paper: "info" });
    expect(progress(traderChecklist(fresh))).toEqual({ done: 0, total: 2 });
  });

  it("ticks 'Choose a provider' once the trader follows someone, paid or complimentary", () => {
    expect(states(traderChecklist({ ...fresh, subscriptions: [{ entitled: true }] })).provider).toBe("done");
    expect(states(traderChecklist({ ...fresh, subscriptions: [{ entitled: false }, { entitled: true }] })).provider).toBe("done");
  });

  it("does not count a subscription that no longer grants access (ended, paused, unpaid)", () => {
    expect(states(traderChecklist({ ...fresh, subscriptions: [{ entitled: false }] })).provider).toBe("todo");
  });

  it("ticks the email step on a confirmed address, and the paper step once a free copy is recorded", () => {
    const steps = traderChecklist({ emailVerified: true, subscriptions: [{ entitled: true }], freeCopies: { used: 1, limit: 4 } });
    expect(states(steps)).toEqual({ email: "done", provider: "done", paper: "done" });
    expect(progress(steps)).toEqual({ done: 3, total: 3 });
  });
});

describe("provider checklist", () => {
  const fresh: ProviderFacts = { emailVerified: false, profile: { tagline: "", bio: "", markets: [] }, activeApiKeys: 0, payoutsEnabled: false };

  it("has every step to do on a new account", () => {
    expect(states(providerChecklist(fresh))).toEqual({ email: "todo", profile: "todo", "api-key": "todo", payouts: "todo" });
  });

  it("ticks each step from its own data", () => {
    const all: ProviderFacts = { emailVerified: true, profile: { tagline: "Trend", bio: "Method", markets: ["crypto"] }, activeApiKeys: 1, payoutsEnabled: true };
    expect(states(providerChecklist(all))).toEqual({ email: "done", profile: "done", "api-key": "done", payouts: "done" });
    expect(states(providerChecklist({ ...fresh, activeApiKeys: 2 }))["api-key"]).toBe("done");
    expect(states(providerChecklist({ ...fresh, payoutsEnabled: true })).payouts).toBe("done");
  });

  it("calls a profile complete only with a tagline, a bio and a market", () => {
    expect(profileComplete({ tagline: "T", bio: "B", markets: ["crypto"] })).toBe(true);
    expect(profileComplete({ tagline: "T", bio: "B", markets: [] })).toBe(false);
    expect(profileComplete({ tagline: "  ", bio: "B", markets: ["crypto"] })).toBe(false);
    expect(profileComplete({ tagline: "T", bio: "", markets: ["crypto"] })).toBe(false);
  });
});
