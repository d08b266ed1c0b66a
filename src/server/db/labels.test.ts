/** The one wording per stored value (src/lib/labels.ts) names exactly the values the database can hold. */
import { describe, expect, it } from "vitest";
import { EMAIL_STATUS, JOB_RUN_STATUS, MARKET_LABEL, SIGNAL_STATUS, SUBSCRIPTION_STATUS, USER_ROLE } from "@/lib/labels";
import { JOB_RUN_STATUSES } from "@/lib/job-runs";
import { emailStatus, jobRunStatus, MARKETS, signalStatus, subscriptionStatus, userRole } from "@/server/db/schema";

describe("labels", () => {
  it("cover every subscription, signal, email and job run status, every role and every market, and nothing else", () => {
    expect(Object.keys(SUBSCRIPTION_STATUS).sort()).toEqual([...subscriptionStatus.enumValues].sort());
    expect(Object.keys(SIGNAL_STATUS).sort()).toEqual([...signalStatus.enumValues].sort());
    expect(Object.keys(EMAIL_STATUS).sort()).toEqual([...emailStatus.enumValues].sort());
    expect(Object.keys(USER_ROLE).sort()).toEqual([...userRole.enumValues].sort());
    expect(Object.keys(JOB_RUN_STATUS).sort()).toEqual([...jobRunStatus.enumValues].sort());
    expect([...JOB_RUN_STATUSES].sort()).toEqual([...jobRunStatus.enumValues].sort());
    expect(Object.keys(MARKET_LABEL).sort()).toEqual([...MARKETS].sort());
  });

  it("give each value its own wording", () => {
    for (const map of [SUBSCRIPTION_STATUS, SIGNAL_STATUS, EMAIL_STATUS, USER_ROLE, JOB_RUN_STATUS]) {
      const labels = Object.values(map).map((v) => v.label);
      expect(new Set(labels).size).toBe(labels.length);
    }
  });
});
