/** Helpers for tests of the inline job runner: job descriptors declared inline, and waiting on the database. */
import { normaliseFlowControl } from "@/server/jobs/flow-control";
import type { JobDescriptor, JobHandler } from "@/server/jobs/types";

export type FlowOptions = Parameters<typeof normaliseFlowControl>[1];

/** A job triggered by `test/go`, with flow control given in Inngest's option shapes (`options`). */
export function testJob(id: string, handler: JobHandler, extra: Partial<JobDescriptor> & { options?: FlowOptions } = {}): JobDescriptor {
  const { options, ...rest } = extra;
  return { id, name: id, triggers: [{ event: "test/go" }], retries: 3, handler, flow: normaliseFlowControl(id, options ?? {}), ...rest };
}

/** Polls `probe` every 20 ms until it returns something truthy; fails naming `what` after `ms`. */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
