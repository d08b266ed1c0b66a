import { describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { signedIn, trpcCode } from "@/test/factories";
import { apiKeys, auditLog } from "@/server/db/schema";
import { authenticateApiKey, MAX_ACTIVE_KEYS } from "@/server/services/api-keys";
import { sha256Hex } from "@/server/crypto/secret-box";

const t = useTestDatabase();


describe("API keys", () => {
  it("are shown once, stored only as a hash with a display prefix, and authenticate their provider", async () => {
    const { caller } = await signedIn("provider");
    const created = await caller.apiKeys.create({ name: "Trading bot" });
    expect(created.key).toMatch(/^tsk_[0-9a-z]{32}$/);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row!.keyHash).toBe(sha256Hex(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key);
    const listed = await caller.apiKeys.list();
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    const mine = await caller.providers.mine();
    const auth = await authenticateApiKey(created.key);
    expect(auth?.provider.id).toBe(mine.id);
    expect(await authenticateApiKey(created.key.replace(/.$/, (c) => (c === "a" ? "b" : "a")))).toBeNull();
  });

  it("stop working when revoked", async () => {
    const { caller } = await signedIn("provider");
    const created = await caller.apiKeys.create({ name: "CI" });
    await caller.apiKeys.revoke({ id: created.id });
    expect(await authenticateApiKey(created.key)).toBeNull();
    expect(await trpcCode(caller.apiKeys.revoke({ id: created.id }))).toBe("NOT_FOUND");
    const actions = (await t.db.select().from(auditLog)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["api_key.created", "api_key.revoked"]));
  });

  it("cannot be seen or revoked by another provider", async () => {
    const alice = await signedIn("provider");
    const bob = await signedIn("provider");
    const key = await alice.caller.apiKeys.create({ name: "Alice's key" });
    expect(await bob.caller.apiKeys.list()).toEqual([]);
    expect(await trpcCode(bob.caller.apiKeys.revoke({ id: key.id }))).toBe("NOT_FOUND");
    expect(await authenticateApiKey(key.key)).not.toBeNull();
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, key.id));
    expect(row!.revokedAt).toBeNull();
  });

  it("refuses a blank name with a message and writes nothing", async () => {
    const { caller } = await signedIn("provider");
    await expect(caller.apiKeys.create({ name: "   " })).rejects.toThrow(/Give the key a name/);
    const [n] = await t.db.select({ n: count() }).from(apiKeys);
    expect(n!.n).toBe(0);
  });

  it(`limits a provider to ${MAX_ACTIVE_KEYS} active keys`, async () => {
    const { caller } = await signedIn("provider");
    for (let i = 0; i < MAX_ACTIVE_KEYS; i++) await caller.apiKeys.create({ name: `k${i}` });
    expect(await trpcCode(caller.apiKeys.create({ name: "one too many" }))).toBe("TOO_MANY_REQUESTS");
  });
});
