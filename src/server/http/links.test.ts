/**
 * Links built while answering a request use its base URL (issue 11, item 3): in development without APP_URL, the
 * emailed verification and reset links and the TradingView webhook URL follow the address the page was opened on
 * (here http://127.0.0.1:3212), never a foreign Host; APP_URL wins when set.
 */
import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "@/test/db";
import { devServerWithoutAppUrl, useEnvOverrides } from "@/test/env";
import { createUser, uniqueEmail } from "@/test/factories";
import { createCaller } from "@/server/api/root";
import { createTRPCContext, type SessionUser } from "@/server/api/trpc";
import { emailOutbox } from "@/server/db/schema";
import { signUp } from "@/server/services/auth";
import { renderForDelivery } from "@/server/services/email/outbox";
import { resetRateLimits } from "@/server/rate-limit";
import { requestServiceContext } from "./service-context";

const t = useTestDatabase();
const setEnv = useEnvOverrides();

function devOn3212() {
  devServerWithoutAppUrl(setEnv, 3212);
  resetRateLimits();
}

const callerAt = async (host: string, user: SessionUser | null = null) =>
  createCaller(await createTRPCContext({ headers: new Headers({ host }), session: user ? { user } : null }));

/** The link in the recipient's copy of the newest email of `kind` to `to`. */
async function emailedLink(to: string, kind: "onboarding_welcome" | "verify_email" | "reset_password"): Promise<string> {
  const [email] = await t.db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.to, to), eq(emailOutbox.kind, kind)))
    .orderBy(desc(emailOutbox.createdAt))
    .limit(1);
  const match = /https?:\/\/[^\s"'<>]+\/(?:verify|reset)\?token=[^\s"'<>]+/.exec(renderForDelivery(email!).text);
  return match![0];
}

describe("emailed links", () => {
  it("a password reset link points at the address the request came to", async () => {
    devOn3212();
    const user = await createUser("subscriber");
    await (await callerAt("127.0.0.1:3212")).auth.requestPasswordReset({ email: user.email });
    expect(await emailedLink(user.email, "reset_password")).toMatch(/^http:\/\/127\.0\.0\.1:3212\/reset\?token=/);
  });

  it("a foreign Host cannot poison a reset link: it goes to localhost on the server's port", async () => {
    devOn3212();
    const user = await createUser("subscriber");
    await (await callerAt("evil.example:3212")).auth.requestPasswordReset({ email: user.email });
    expect(await emailedLink(user.email, "reset_password")).toMatch(/^http:\/\/localhost:3212\/reset\?token=/);
  });

  it("the verification link of a sign-up and of a resend point at the request's address", async () => {
    devOn3212();
    const email = uniqueEmail("verify");
    const ctx = requestServiceContext(new Headers({ host: "127.0.0.1:3212" }));
    const created = await signUp(ctx, { name: "Ada", email, password: "correct horse battery", role: "subscriber", acceptDisclaimer: true, acceptTerms: true });
    // The sign-up's link is in its welcome email; a resend sends the verification email on its own.
    expect(await emailedLink(email, "onboarding_welcome")).toMatch(/^http:\/\/127\.0\.0\.1:3212\/verify\?token=/);
    await (await callerAt("localhost:3212", { id: created.id, role: created.role })).auth.resendVerification();
    expect(await emailedLink(email, "verify_email")).toMatch(/^http:\/\/localhost:3212\/verify\?token=/);
  });

  it("APP_URL wins when set", async () => {
    devOn3212();
    setEnv("APP_URL", "https://signals.example.com");
    const user = await createUser("subscriber");
    await (await callerAt("127.0.0.1:3212")).auth.requestPasswordReset({ email: user.email });
    expect(await emailedLink(user.email, "reset_password")).toMatch(/^https:\/\/signals\.example\.com\/reset\?token=/);
  });
});

describe("the TradingView webhook URL", () => {
  it("is shown and created at the request's address", async () => {
    devOn3212();
    const provider = await createUser("provider");
    const caller = await callerAt("127.0.0.1:3212", provider);
    expect(await caller.providers.webhook()).toMatchObject({
      appUrl: "http://127.0.0.1:3212",
      baseUrl: "http://127.0.0.1:3212/api/webhooks/tradingview/",
    });
    expect((await caller.providers.rotateWebhook()).url).toMatch(/^http:\/\/127\.0\.0\.1:3212\/api\/webhooks\/tradingview\/tv_/);
    const foreign = await callerAt("evil.example:3212", provider);
    expect((await foreign.providers.webhook()).baseUrl).toBe("http://localhost:3212/api/webhooks/tradingview/");
  });
});
