import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { requireUser } from "@/server/auth/guards";
import { CATALOGUE } from "@/lib/strategy-library";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { AbTestsClient, type CuratedDefinition } from "./client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "A/B tests · Running strategies" };

/**
 * A/B (shadow) tests of one running strategy (issue 20). The run, its tests and the current test (evaluated afresh on
 * the live candles) are read in process and handed to the client; the curated strategy's parameter definitions go
 * down as plain data for the challengers' fields.
 */
export default async function AbTestsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/lab/runs/${id}/ab`);
  if (user.role !== "provider" && user.role !== "admin") forbidden();
  const qc = getQueryClient();
  const run = await qc.fetchQuery(trpc.strategyRuns.get.queryOptions({ id })).catch((e: unknown) => {
    if (e instanceof TRPCError && (e.code === "NOT_FOUND" || e.code === "BAD_REQUEST")) notFound();
    throw e;
  });
  const entry = run.curatedId ? CATALOGUE.find((e) => e.id === run.curatedId) : undefined;
  if (entry) {
    // A failed read here is not the page's failure: the client shows the query's error where the test would be.
    const tests = await qc.fetchQuery(trpc.strategyRuns.abTests.list.queryOptions({ id })).catch(() => []);
    const current = tests.find((t) => t.status === "running" || t.status === "decided");
    if (current) await qc.prefetchQuery(trpc.strategyRuns.abTests.get.queryOptions({ id: current.id }));
  }
  const strategy: CuratedDefinition | null = entry
    ? { name: entry.name, params: entry.params.map((p) => ({ ...p })), constraints: (entry.constraints ?? []).map((c) => ({ ...c })) }
    : null;
  return (
    <HydrateClient>
      <AbTestsClient runId={id} strategy={strategy} />
    </HydrateClient>
  );
}
