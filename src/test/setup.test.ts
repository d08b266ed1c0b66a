import { describe, expect, it } from "vitest";
import { OutboundNetworkError, safeFetch } from "@/server/http/safe-fetch";

describe("the test set-up (src/test/setup.ts)", () => {
  it("resolves no host name: an outbound send to a public name fails without touching DNS", async () => {
    const err = await safeFetch("https://discord.com/api/webhooks/1/abc", { method: "POST", body: "{}" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundNetworkError);
    expect((err as Error).message).toMatch(/DNS is off in tests \(discord\.com\)/);
  });
});
