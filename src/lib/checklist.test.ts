import { describe, expect, it } from "vitest";
import { profileComplete, progress, providerChecklist, stepsToDo, traderChecklist, type ProviderFacts, type TraderFacts } from "./checklist";

const states = (steps: { id: string; state: string }[]) => Object.fromEntries(steps.map((s) => [s.id, s.state]));

describe("trader checklist", () => {
  const fresh: TraderFacts = { disclaimerAccepted: false, marketplaceBrowsed: false, entitledSubscriptions: 0, copyingEnabled: 0, activeExchangeConnections: 0 };

  it("has the five trader steps in order, all to do on a blank account (0 %)", () => {
    const steps = traderChecklist(fresh);
    expect(steps.map((s) => s.id)).toEqual(["disclaimer", "browse", "subscribe", "copy", "exchange"]);
    expect(states(steps)).toEqual({ disclaimer: "todo", browse: "todo", subscribe: "todo", copy: "todo", exchange: "todo" });
    expect(progress(steps)).toEqual({ done: 0, total: 5, percent: 0 });
  });

  it("ticks each step from its own fact", () => {
    expect(states(traderChecklist({ ...fresh, disclaimerAccepted: true })).disclaimer).toBe("done");
    expect(states(traderChecklist({ ...fresh, marketplaceBrowsed: true })).browse).toBe("done");
    expect(states(traderChecklist({ ...fresh, entitledSubscriptions: 1 })).subscribe).toBe("done");
    expect(states(traderChecklist({ ...fresh, copyingEnabled: 2 })).copy).toBe("done");
    expect(states(traderChecklist({ ...fresh, activeExchangeConnections: 1 })).exchange).toBe("done");
  });

  it("counts progress in whole per cent, 100 only when everything is done", () => {
    const some = traderChecklist({ ...fresh, disclaimerAccepted: true, entitledSubscriptions: 1 });
    expect(progress(some)).toEqual({ done: 2, total: 5, percent: 40 });
    expect(stepsToDo(some)).toEqual(["browse", "copy", "exchange"]);
    const all = traderChecklist({ disclaimerAccepted: true, marketplaceBrowsed: true, entitledSubscriptions: 1, copyingEnabled: 1, activeExchangeConnections: 1 });
    expect(progress(all).percent).toBe(100);
    expect(stepsToDo(all)).toEqual([]);
  });
});

describe("provider checklist", () => {
  const fresh: ProviderFacts = { profile: { tagline: "", bio: "", markets: [] }, payoutsEnabled: false, priceSet: false, publishedSignals: 0, tradingViewConnected: false };

  it("has the five provider steps in order, all to do on a new account", () => {
    const steps = providerChecklist(fresh);
    expect(steps.map((s) => s.id)).toEqual(["profile", "payouts", "price", "signal", "tradingview"]);
    expect(progress(steps)).toEqual({ done: 0, total: 5, percent: 0 });
  });

  it("ticks each step from its own data", () => {
    expect(states(providerChecklist({ ...fresh, profile: { tagline: "Trend", bio: "Method", markets: ["crypto"] } })).profile).toBe("done");
    expect(states(providerChecklist({ ...fresh, payoutsEnabled: true })).payouts).toBe("done");
    expect(states(providerChecklist({ ...fresh, priceSet: true })).price).toBe("done");
    expect(states(providerChecklist({ ...fresh, publishedSignals: 1 })).signal).toBe("done");
    expect(states(providerChecklist({ ...fresh, tradingViewConnected: true })).tradingview).toBe("done");
    expect(progress(providerChecklist({ ...fresh, payoutsEnabled: true, priceSet: true, publishedSignals: 3 }))).toEqual({ done: 3, total: 5, percent: 60 });
  });

  it("calls a profile complete only with a tagline, a bio and a market", () => {
    expect(profileComplete({ tagline: "T", bio: "B", markets: ["crypto"] })).toBe(true);
    expect(profileComplete({ tagline: "T", bio: "B", markets: [] })).toBe(false);
    expect(profileComplete({ tagline: "  ", bio: "B", markets: ["crypto"] })).toBe(false);
    expect(profileComplete({ tagline: "T", bio: "", markets: ["crypto"] })).toBe(false);
  });
});
