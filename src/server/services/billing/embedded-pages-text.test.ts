/**
 * The stand-in's pages look up the id in their URL (/dev/stripe/checkout/<session>, onboarding/<account>,
 * portal/<customer>); an id holding a control character is an unknown one, a 404, not a database error (500).
 */
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { useEmbeddedStripe } from "@/test/stripe";
import { serviceContext } from "@/server/services/context";
import { ownAccount, ownCheckout, ownPortal } from "./embedded-pages";

useTestDatabase();
const stripe = useEmbeddedStripe();

describe("ids with a control character in the stand-in's URLs", () => {
  it("read as unknown", async () => {
    const user = await createUser("provider");
    const ctx = serviceContext({ actor: user });
    for (const id of ["cs_\u0000", "acct_\u0007x", "cus_\ud800"]) {
      await expect(ownCheckout(ctx, stripe.gateway, id)).resolves.toBeNull();
      await expect(ownAccount(ctx, stripe.gateway, id)).resolves.toBeNull();
      await expect(ownPortal(ctx, stripe.gateway, id)).resolves.toBeNull();
    }
  });
});
