import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { TRPCError } from "@trpc/server";
import { requireUser } from "@/server/auth/guards";
import { api } from "@/trpc/server";
import { hrefWith, parsePageParam, type SearchParams } from "@/lib/search-params";
import { pageCount } from "@/components/ui/pagination";
import { DeliveryLog } from "./client";

export const dynamic = "force-dynamic";

type Params = Promise<{ id: string }>;
const PAGE_SIZE = 20;

const getLog = cache(async (id: string, page: number) => {
  await requireUser(`/settings/channels/${encodeURIComponent(id)}`);
  if (!/^chn_[A-Za-z0-9]{1,60}$/.test(id)) return null;
  const caller = await api();
  try {
    return await caller.channels.deliveries({ channelId: id, page, pageSize: PAGE_SIZE });
  } catch (err) {
    // Someone else's destination is a 404, the same as one that does not exist.
    if (err instanceof TRPCError && err.code === "NOT_FOUND") return null;
    throw err;
  }
});

export async function generateMetadata({ params, searchParams }: { params: Params; searchParams: Promise<SearchParams> }): Promise<Metadata> {
  const log = await getLog((await params).id, parsePageParam((await searchParams).page));
  return { title: log ? `Deliveries to ${log.destination.label}` : "Destination not found" };
}

export default async function ChannelDeliveriesPage({ params, searchParams }: { params: Params; searchParams: Promise<SearchParams> }) {
  const { id } = await params;
  const page = parsePageParam((await searchParams).page);
  const log = await getLog(id, page);
  if (!log) notFound();
  const { totalPages, beyond } = pageCount(log.total, log.pageSize, page);
  const hrefFor = (p: number) => hrefWith(`/settings/channels/${log.destination.id}`, { page: p > 1 ? p : undefined });
  if (beyond) redirect(hrefFor(beyond));
  return (
    <>
      <Link href="/settings#channels" className="inline-flex items-center gap-1 text-sm font-medium text-slate-600 hover:text-slate-900">
        <span aria-hidden="true">←</span> Notification channels
      </Link>
      <DeliveryLog initial={log} page={page} totalPages={totalPages} />
    </>
  );
}
