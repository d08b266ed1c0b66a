import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { requireUser } from "@/server/auth/guards";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { OptimizationClient } from "./client";

export const metadata: Metadata = { title: "Optimisation · Strategy lab" };
export const dynamic = "force-dynamic";

export default async function OptimizationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireUser(`/lab/optimize/${id}`);
  const qc = getQueryClient();
  await qc.fetchQuery(trpc.lab.optimizations.get.queryOptions({ id })).catch((e: unknown) => {
    if (e instanceof TRPCError && (e.code === "NOT_FOUND" || e.code === "BAD_REQUEST")) notFound();
    throw e;
  });
  return (
    <HydrateClient>
      <OptimizationClient id={id} />
    </HydrateClient>
  );
}
