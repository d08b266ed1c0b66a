import { describe, expect, it, vi } from "vitest";
import { isStepUpRequired, sharedAsk, withStepUp } from "./with-step-up";

/** A refusal as the tRPC client hands it over when the server wants a fresh step-up. */
const stepUpRefusal = () => Object.assign(new Error("Enter your authentication code to continue."), { data: { code: "FORBIDDEN", reason: "step_up_required" } });
const otherRefusal = () => Object.assign(new Error("Not yours."), { data: { code: "FORBIDDEN" } });

describe("isStepUpRequired", () => {
  it("is true only for the step-up refusal's reason", () => {
    expect(isStepUpRequired(stepUpRefusal())).toBe(true);
    expect(isStepUpRequired(otherRefusal())).toBe(false);
    expect(isStepUpRequired(new Error("boom"))).toBe(false);
    expect(isStepUpRequired({ data: null })).toBe(false);
    expect(isStepUpRequired(null)).toBe(false);
    expect(isStepUpRequired("step_up_required")).toBe(false);
  });
});

describe("withStepUp", () => {
  it("passes a success through without asking", async () => {
    const fn = vi.fn(async (name: string) => `key for ${name}`);
    const ask = vi.fn(async () => true);
    await expect(withStepUp(fn, { ask })("bot")).resolves.toBe("key for bot");
    expect(fn).toHaveBeenCalledTimes(1);
    expect(ask).not.toHaveBeenCalled();
  });

  it("rethrows other errors without asking", async () => {
    const refusal = otherRefusal();
    const fn = vi.fn(async () => {
      throw refusal;
    });
    const ask = vi.fn(async () => true);
    await expect(withStepUp(fn, { ask })()).rejects.toBe(refusal);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(ask).not.toHaveBeenCalled();
  });

  it("asks for a code on a step-up refusal, then retries the same call with the same arguments", async () => {
    const fn = vi.fn().mockRejectedValueOnce(stepUpRefusal()).mockResolvedValueOnce({ id: "key_1" });
    const ask = vi.fn(async () => true);
    await expect(withStepUp(fn, { ask })({ name: "bot" })).resolves.toEqual({ id: "key_1" });
    expect(ask).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(fn.mock.calls[1]).toEqual([{ name: "bot" }]);
  });

  it("rethrows the original refusal, without a retry, when the person backs out", async () => {
    const refusal = stepUpRefusal();
    const fn = vi.fn().mockRejectedValueOnce(refusal);
    const ask = vi.fn(async () => false);
    await expect(withStepUp(fn, { ask })()).rejects.toBe(refusal);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("retries once only: a second step-up refusal reaches the caller", async () => {
    const second = stepUpRefusal();
    const fn = vi.fn().mockRejectedValueOnce(stepUpRefusal()).mockRejectedValueOnce(second).mockResolvedValue("never");
    const ask = vi.fn(async () => true);
    await expect(withStepUp(fn, { ask })()).rejects.toBe(second);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(ask).toHaveBeenCalledTimes(1);
  });

  it("rethrows what the asking itself threw", async () => {
    const fn = vi.fn().mockRejectedValueOnce(stepUpRefusal());
    const broken = new Error("dialog gone");
    await expect(
      withStepUp(fn, {
        ask: async () => {
          throw broken;
        },
      })(),
    ).rejects.toBe(broken);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe("sharedAsk", () => {
  it("opens one dialog for callers asking at the same time, and a new one after it settled", async () => {
    let answer: (ok: boolean) => void = () => {};
    const open = vi.fn(
      () =>
        new Promise<boolean>((resolve) => {
          answer = resolve;
        }),
    );
    const ask = sharedAsk(open);
    const first = ask();
    const second = ask();
    expect(open).toHaveBeenCalledTimes(1);
    answer(true);
    await expect(Promise.all([first, second])).resolves.toEqual([true, true]);
    const third = ask();
    expect(open).toHaveBeenCalledTimes(2);
    answer(false);
    await expect(third).resolves.toBe(false);
  });
});
