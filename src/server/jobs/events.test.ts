import { afterEach, describe, expect, it, vi } from "vitest";
import { inngest } from "./client";
import { sendEvent } from "./events";
import { waitForInlineRuns } from "./inline/runner";
import type { JobEvent } from "./types";

const mode = vi.hoisted(() => ({ current: "inline" as "inline" | "inngest" }));
vi.mock("./client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("./client")>()),
  jobsMode: () => mode.current,
}));
// The real dispatch would run audit-retention, which opens the process database; that path is covered with a test
// database in functions/audit-retention.test.ts.
const dispatched = vi.hoisted(() => ({ events: [] as unknown[] }));
vi.mock("./inline/runner", async (importOriginal) => {
  const original = await importOriginal<typeof import("./inline/runner")>();
  return {
    ...original,
    dispatchEvents: async (events: readonly JobEvent[]) => {
      dispatched.events.push(...events);
      return original.dispatchEvents(events, { jobs: [] });
    },
  };
});

afterEach(async () => {
  vi.restoreAllMocks();
  mode.current = "inline";
  await waitForInlineRuns();
});

describe("sendEvent", () => {
  it("sends through Inngest in inngest mode, with the idempotency id", async () => {
    mode.current = "inngest";
    const send = vi.spyOn(inngest, "send").mockResolvedValue({ ids: ["evt_1"] } as never);
    const sent = await sendEvent("audit/retention.requested", { requestedBy: "usr_1" }, { id: "prune-2025-01-01" });
    expect(send).toHaveBeenCalledWith({
      name: "audit/retention.requested",
      data: { requestedBy: "usr_1" },
      id: "prune-2025-01-01",
    });
    expect(sent.mode).toBe("inngest");
    expect(sent.ids).toEqual(["evt_1"]);
    expect(await sent.completion).toEqual([]);
  });

  it("rethrows Inngest send failures so the caller can keep the work", async () => {
    mode.current = "inngest";
    vi.spyOn(inngest, "send").mockRejectedValue(new Error("401 Event key not found"));
    await expect(sendEvent("audit/retention.requested", { requestedBy: null })).rejects.toThrow("Event key");
  });

  it("dispatches in process and does not call Inngest in inline mode", async () => {
    const send = vi.spyOn(inngest, "send");
    const sent = await sendEvent("audit/retention.requested", { requestedBy: null });
    expect(send).not.toHaveBeenCalled();
    expect(dispatched.events).toEqual([{ name: "audit/retention.requested", data: { requestedBy: null } }]);
    expect(sent.mode).toBe("inline");
    expect(sent.ids).toHaveLength(1);
    expect(await sent.completion).toEqual([]);
  });
});
