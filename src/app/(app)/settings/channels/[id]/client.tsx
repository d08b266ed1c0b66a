"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Alert, Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { Pagination } from "@/components/ui/pagination";
import { formatDateTime, formatDateTimeSeconds } from "@/lib/format/dates";
import { hrefWith } from "@/lib/search-params";
import type { Delivery, DeliveryPage } from "../../_components/channels/types";

const STATUS_TONE = { queued: "amber", sent: "green", failed: "red", cancelled: "slate", held: "amber" } as const;
/** While a delivery is on its way, the log is read again this often. */
const QUEUED_POLL_MS = 4_000;

function DeliveryItem({ d, active }: { d: Delivery; active: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const again = useMutation(trpc.channels.redeliver.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.channels.deliveries.pathKey() }) }));
  return (
    <li className="space-y-2 px-5 py-4" data-testid="delivery-row">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
          <code className="font-mono text-sm font-medium text-slate-900">{d.event}</code>
          {d.redeliveryOf ? <Badge tone="brand">Redelivery</Badge> : null}
          <span className="text-slate-500">{formatDateTime(d.createdAt)}</span>
        </p>
        <div className="flex items-center gap-3 text-sm text-slate-600">
          <span>
            {d.responseStatus ? <>HTTP {d.responseStatus}</> : "No answer yet"} · {d.attempts} {d.attempts === 1 ? "attempt" : "attempts"}
          </span>
          {active && d.status !== "queued" ? (
            <Button variant="secondary" size="sm" loading={again.isPending} onClick={() => again.mutate({ id: d.id })}>
              Redeliver
            </Button>
          ) : null}
        </div>
      </div>
      {d.lastError ? <p className="text-sm text-red-700">{d.lastError}</p> : null}
      {d.status === "queued" && d.nextAttemptAt ? <p className="text-xs text-slate-500">Next attempt {formatDateTime(d.nextAttemptAt)} (retried until {formatDateTime(d.expiresAt)})</p> : null}
      {again.isError ? <Alert tone="error">{again.error.message}</Alert> : null}
      {again.isSuccess ? <Alert tone="success">Queued again, with the same event id.</Alert> : null}
      <details className="text-sm">
        <summary className="cursor-pointer text-slate-600">Details: event {d.eventId}</summary>
        {d.attemptLog.length ? (
          <table className="mt-2 w-full max-w-2xl text-xs">
            <thead>
              <tr className="text-left text-slate-500">
                <th className="py-1 font-medium">#</th>
                <th className="py-1 font-medium">At (UTC)</th>
                <th className="py-1 font-medium">Answer</th>
                <th className="py-1 font-medium">Took</th>
                <th className="py-1 font-medium">Error</th>
              </tr>
            </thead>
            <tbody>
              {d.attemptLog.map((a) => (
                <tr key={a.attempt} className="align-top">
                  <td className="py-1 pr-2 tabular-nums">{a.attempt}</td>
                  <td className="py-1 pr-2">{formatDateTimeSeconds(a.at)}</td>
                  <td className="py-1 pr-2">{a.responseStatus ?? "none"}</td>
                  <td className="py-1 pr-2 tabular-nums">{a.durationMs} ms</td>
                  <td className="py-1 break-all text-red-700">{a.error ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="mt-2 text-xs text-slate-500">Not attempted yet.</p>
        )}
        {d.responseBody ? (
          <>
            <p className="mt-2 text-xs font-medium text-slate-600">Last answer body</p>
            <pre className="mt-1 max-h-32 overflow-auto rounded bg-slate-50 p-2 text-xs whitespace-pre-wrap ring-1 ring-slate-200">{d.responseBody}</pre>
          </>
        ) : null}
        <p className="mt-2 text-xs font-medium text-slate-600">Payload (exactly what is sent)</p>
        <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-50 p-2 text-xs ring-1 ring-slate-200">{JSON.stringify(d.payload, null, 2)}</pre>
      </details>
    </li>
  );
}

/** One destination's deliveries, newest first, with each attempt's answer and "Redeliver". */
export function DeliveryLog({ initial, page, totalPages }: { initial: DeliveryPage; page: number; totalPages: number }) {
  const trpc = useTRPC();
  const log = useQuery({
    ...trpc.channels.deliveries.queryOptions({ channelId: initial.destination.id, page, pageSize: initial.pageSize }),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === "queued") ? QUEUED_POLL_MS : false),
  });
  const { destination, items, total } = log.data;
  const where = destination.kind === "telegram" ? destination.telegramChatName : destination.urlHint;
  return (
    <Card className="mt-4">
      <CardHeader
        title={`Deliveries to ${destination.label}`}
        description={`${where ?? ""}${where ? " · " : ""}${total} ${total === 1 ? "delivery" : "deliveries"}, newest first. Times in UTC.`}
      />
      {destination.status === "disabled" ? (
        <CardBody>
          <Alert tone="warning">This destination is disabled: {destination.disabledReason ?? "no reason recorded"}.</Alert>
        </CardBody>
      ) : null}
      {items.length ? (
        <ul className="divide-y divide-slate-100">
          {items.map((d) => (
            <DeliveryItem key={d.id} d={d} active={destination.status === "active"} />
          ))}
        </ul>
      ) : (
        <p className="px-5 py-6 text-sm text-slate-600">Nothing sent here yet. Send a test message from Settings.</p>
      )}
      <Pagination page={page} totalPages={totalPages} hrefFor={(p) => hrefWith(`/settings/channels/${destination.id}`, { page: p > 1 ? p : undefined })} label="Delivery pages" prevLabel="Newer" nextLabel="Older" className="mx-5 mt-0 mb-4 border-t border-slate-100 pt-4" />
    </Card>
  );
}
