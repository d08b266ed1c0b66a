"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { Button } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button";
import { Alert, Badge, Card, CardHeader, EmptyState } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { SelectField } from "@/components/ui/select";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { utcStamp } from "@/components/track-record/format";
import { bps, latency, LEG_LABEL, money, ORDER_STATUS_LABEL, ORDER_STATUS_TONE, orderReason } from "@/components/copy/format";
import { Price, Quantity, StackedDetails } from "@/components/copy/figures";
import { COPY_LEGS, COPY_ORDER_STATUSES } from "@/lib/validation/copy";
import { ORDERS_PAGE, REFRESH_MS } from "./live";

interface Filters {
  providerId: string;
  status: string;
  leg: string;
  from: string;
  to: string;
}
const NO_FILTERS: Filters = { providerId: "", status: "", leg: "", from: "", to: "" };
const DAY = /^\d{4}-\d\d-\d\d$/;

/** The filters as the router and the CSV route take them: whole UTC days, "to" inclusive. */
function toQuery(f: Filters): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.providerId) q.providerId = f.providerId;
  if (f.status) q.status = f.status;
  if (f.leg) q.leg = f.leg;
  if (DAY.test(f.from)) q.from = `${f.from}T00:00:00.000Z`;
  if (DAY.test(f.to)) q.to = `${f.to}T23:59:59.999Z`;
  return q;
}

/** Every copy decision (filled, skipped with its reason, rejected…), filtered, paged, and downloadable as CSV with the same filters. */
export function OrdersJournal({ providers }: { providers: { id: string; displayName: string }[] }) {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const ids = { from: useId(), to: useId() };
  const query = useMemo(() => toQuery(filters), [filters]);
  const badRange = Boolean(query.from && query.to && query.from > query.to);
  const input = {
    filters: {
      providerId: query.providerId,
      status: query.status as (typeof COPY_ORDER_STATUSES)[number] | undefined,
      leg: query.leg as (typeof COPY_LEGS)[number] | undefined,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to && !badRange ? new Date(query.to) : undefined,
    },
    limit: ORDERS_PAGE,
  };
  const orders = useInfiniteQuery(trpc.copy.orders.infiniteQueryOptions(input, { getNextPageParam: (p) => p.nextCursor, refetchInterval: REFRESH_MS }));
  const rows = orders.data?.pages.flatMap((p) => p.items) ?? [];
  const csvHref = `/api/copy/orders.csv${Object.keys(query).length && !badRange ? `?${new URLSearchParams(query).toString()}` : ""}`;
  const filtered = Object.values(filters).some(Boolean);
  const set = (k: keyof Filters) => (v: string) => setFilters((f) => ({ ...f, [k]: v }));
  const dateClass =
    "mt-1 block h-10 w-full rounded-md border border-slate-300 bg-white px-3 text-sm text-slate-900 shadow-xs focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none";

  return (
    <Card>
      <CardHeader
        title="Orders journal"
        description="Every copy decision: what was requested, how it filled, slippage and latency, and why anything was skipped."
        action={
          <a href={csvHref} className={buttonClass("secondary", "sm")} download data-testid="orders-csv">
            Download CSV
          </a>
        }
      />
      <form className="grid gap-3 border-b border-slate-100 px-5 py-4 sm:grid-cols-2 lg:grid-cols-5" onSubmit={(e) => e.preventDefault()} aria-label="Filter orders">
        <SelectField
          label="Provider"
          value={filters.providerId}
          onValueChange={set("providerId")}
          options={[{ value: "", label: "All providers" }, ...providers.map((p) => ({ value: p.id, label: p.displayName }))]}
        />
        <SelectField
          label="Status"
          value={filters.status}
          onValueChange={set("status")}
          options={[{ value: "", label: "Any status" }, ...COPY_ORDER_STATUSES.map((s) => ({ value: s, label: ORDER_STATUS_LABEL[s] ?? s }))]}
        />
        <SelectField
          label="Leg"
          value={filters.leg}
          onValueChange={set("leg")}
          options={[{ value: "", label: "Any leg" }, ...COPY_LEGS.map((l) => ({ value: l, label: LEG_LABEL[l] ?? l }))]}
        />
        <div>
          <label htmlFor={ids.from} className="block text-sm font-medium text-slate-800">
            From
          </label>
          <input id={ids.from} type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => set("from")(e.target.value)} className={dateClass} />
        </div>
        <div>
          <label htmlFor={ids.to} className="block text-sm font-medium text-slate-800">
            To
          </label>
          <input
            id={ids.to}
            type="date"
            value={filters.to}
            min={filters.from || undefined}
            onChange={(e) => set("to")(e.target.value)}
            aria-invalid={badRange || undefined}
            aria-describedby={badRange ? `${ids.to}-error` : undefined}
            className={cn(dateClass, badRange && "border-red-500")}
          />
          {badRange ? (
            <p id={`${ids.to}-error`} role="alert" className="mt-1 text-sm text-red-700">
              &ldquo;To&rdquo; must be on or after &ldquo;From&rdquo;
            </p>
          ) : null}
        </div>
        {filtered ? (
          <div className="sm:col-span-2 lg:col-span-5">
            <Button type="button" variant="ghost" size="sm" onClick={() => setFilters(NO_FILTERS)}>
              Clear filters
            </Button>
          </div>
        ) : null}
      </form>
      {orders.isError && !orders.data ? (
        <div className="p-5">
          <Alert tone="error">Couldn&rsquo;t load your orders. {orders.error.message}</Alert>
        </div>
      ) : !orders.data ? (
        <div className="m-5 h-24 animate-pulse rounded bg-slate-50" role="status" aria-label="Loading orders" />
      ) : !rows.length ? (
        <div className="p-5">
          <EmptyState title={filtered ? "No orders match these filters" : "No copy orders yet"}>
            {filtered
              ? "Try another provider, status or date range, or clear the filters."
              : "Each signal a copied provider publishes, moves or closes leaves an order here: filled, or skipped with the rule that stopped it."}
          </EmptyState>
        </div>
      ) : (
        <Table containerProps={{ role: "region", "aria-label": "Copy orders", tabIndex: 0 }}>
          <TableCaption className="sr-only">Copy orders, newest first</TableCaption>
          <TableHeader className="bg-transparent">
            <TableRow>
              <TableHead className="hidden px-3 sm:px-4 lg:table-cell">Time (UTC)</TableHead>
              <TableHead className="px-3 sm:px-4 lg:px-3">Order · provider</TableHead>
              <TableHead className="px-3">Status · reason</TableHead>
              <TableHead className="hidden px-3 text-right md:table-cell">Quantity</TableHead>
              <TableHead className="hidden px-3 text-right md:table-cell">
                Requested
                <span className="block font-normal normal-case">filled</span>
              </TableHead>
              <TableHead className="hidden px-3 text-right md:table-cell">
                Slippage
                <span className="block font-normal normal-case">latency</span>
              </TableHead>
              <TableHead className="hidden px-3 text-right sm:px-4 md:table-cell">Fee</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((o) => {
              const reason = orderReason(o.reason);
              const requested = o.requestedPrice ?? o.limitPrice;
              const fee = o.status === "filled" ? money(o.fee) : "—";
              return (
                <TableRow key={o.id} data-testid="copy-order">
                  <TableCell className="hidden px-3 whitespace-nowrap text-slate-600 tabular-nums sm:px-4 lg:table-cell">{utcStamp(o.createdAt)}</TableCell>
                  <TableCell className="px-3 align-top whitespace-nowrap sm:px-4 lg:px-3">
                    <span className="font-medium text-slate-900">{o.symbol}</span>{" "}
                    <span className={o.side === "buy" ? "text-emerald-700" : "text-red-700"}>{o.side}</span>
                    {o.status === "skipped" ? null : (
                      <>
                        {" "}
                        <Quantity value={o.quantity} className="text-slate-700 md:hidden" />
                      </>
                    )}
                    <span className="block text-xs text-slate-500">
                      {LEG_LABEL[o.leg] ?? o.leg} · {o.orderType}
                    </span>
                    <span className="block text-xs text-slate-600">{o.provider.displayName}</span>
                    <span className="block text-xs text-slate-500 tabular-nums lg:hidden">{utcStamp(o.createdAt)} UTC</span>
                  </TableCell>
                  <TableCell className="px-3 align-top">
                    <Badge tone={ORDER_STATUS_TONE[o.status] ?? "slate"}>{ORDER_STATUS_LABEL[o.status] ?? o.status}</Badge>
                    {reason ? (
                      <span className="mt-1 block max-w-[22rem] text-xs text-slate-600" title={reason.code ?? undefined}>
                        {reason.text}
                      </span>
                    ) : null}
                    {o.status === "skipped" ? null : (
                      <StackedDetails
                        items={[
                          { label: "Requested", value: <Price value={requested} /> },
                          { label: "Filled", value: <Price value={o.fillPrice} /> },
                          { label: "Slippage", value: bps(o.slippageBps) },
                          { label: "Latency", value: latency(o.latencyMs) },
                          { label: "Fee", value: fee },
                        ]}
                      />
                    )}
                  </TableCell>
                  <TableCell className="hidden px-3 text-right md:table-cell">{o.status === "skipped" ? "—" : <Quantity value={o.quantity} />}</TableCell>
                  <TableCell className="hidden px-3 text-right whitespace-nowrap md:table-cell">
                    <Price value={requested} />
                    <span className="block text-xs text-slate-500">
                      <Price value={o.fillPrice} className="text-slate-700" />
                    </span>
                  </TableCell>
                  <TableCell className="hidden px-3 text-right whitespace-nowrap tabular-nums md:table-cell">
                    {bps(o.slippageBps)}
                    <span className="block text-xs text-slate-500">{latency(o.latencyMs)}</span>
                  </TableCell>
                  <TableCell className="hidden px-3 text-right whitespace-nowrap tabular-nums sm:px-4 md:table-cell">{fee}</TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {orders.hasNextPage ? (
        <div className="border-t border-slate-100 px-5 py-3">
          <Button variant="secondary" size="sm" onClick={() => void orders.fetchNextPage()} loading={orders.isFetchingNextPage}>
            Load more
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
