/**
 * Security-relevant actions are audited with where they came from (issue 17): the client address the app believes
 * and the browser's user agent, taken from the request by the procedure ladder. API keys, role changes, kill
 * switches and the webhook URL are walked here; sign-in, two-factor and sessions have their own tests.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser } from "@/test/factories";
import { createCaller } from "@/server/api/root";
import { createTRPCContext, type SessionUser } from "@/server/api/trpc";
import { auditLog } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";

const t = useTestDatabase();
const setEnv = useEnvOverrides();
beforeEach(async () => {
  await resetRateLimits();
  setEnv("TRUSTED_PROXY_HOPS", 1);
});

const UA = "Mozilla/5.0 (X11; Linux x86_64) AuditTest/1.0";
const IP = "198.51.100.77";

async function browserOf(user: SessionUser) {
  const headers = new Headers({ "x-forwarded-for": IP, "user-agent": UA });
  return createCaller(await createTRPCContext({ headers, session: { user } }));
}

async function auditedActions() {
  return (await t.db.select().from(auditLog)).map((r) => ({ action: r.action, ip: r.ip, userAgent: r.userAgent }));
}

describe("audit rows of security-relevant actions", () => {
  it("carry the client address and user agent", async () => {
    const provider = await createUser("provider");
    const admin = await createUser("admin");
    const subscriber = await createUser("subscriber");
    const p = await browserOf(provider);
    const key = await p.apiKeys.create({ name: "bot" });
    await p.apiKeys.revoke({ id: key.id });
    await p.providers.rotateWebhook();
    await (await browserOf(admin)).admin.setRole({ userId: subscriber.id, role: "provider" });
    await (await browserOf(subscriber)).copy.killAll();
    const rows = await auditedActions();
    for (const action of ["api_key.created", "api_key.revoked", "provider.webhook_rotated", "admin.role_changed", "copy.kill_switch.follower"]) {
      expect(rows.find((r) => r.action === action), action).toMatchObject({ ip: IP, userAgent: UA });
    }
  });
});
