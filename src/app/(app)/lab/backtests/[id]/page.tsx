import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { requireUser } from "@/server/auth/guards";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { BacktestClient } from "./client";

export const metadata: Metadata = { title: "Backtest · Strategy lab" };
export const dynamic = "force-dynamic";

export default async function BacktestPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireUser(`/lab/backtests/${id}`);
  const qc = getQueryClient();
  await qc.fetchQuery(trpc.lab.backtests.get.queryOptions({ id })).catch((e: unknown) => {
    if (e instanceof TRPCError && (e.code === "NOT_FOUND" || e.code === "BAD_REQUEST")) notFound();
    throw e;
  });
  return (
    <HydrateClient>
      <BacktestClient id={id} />
    </HydrateClient>
  );
}
