/** Auth.js's log goes through ours, without an error (and stack trace) for every refused sign-in. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { CredentialsSignin } from "next-auth";
import { useTestDatabase } from "@/test/db";
import { logger } from "@/server/logger";
import { buildAuthConfig } from "./config";

useTestDatabase();
afterEach(() => vi.restoreAllMocks());

describe("the Auth.js logger", () => {
  it("drops refused sign-ins and sends every other error and warning to the app's logger", async () => {
    const error = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => undefined);
    const config = await buildAuthConfig();
    config.logger!.error!(new CredentialsSignin());
    expect(error).not.toHaveBeenCalled();
    const other = new Error("adapter failed");
    config.logger!.error!(other);
    expect(error).toHaveBeenCalledWith({ err: other }, "auth error");
    config.logger!.warn!("debug-enabled");
    expect(warn).toHaveBeenCalledWith({ code: "debug-enabled" }, "auth warning");
  });
});
