"use client";

import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { formatDateTime } from "@/lib/format/dates";
import { AccountBadge, exchangeName, keyHintText, StatusBadge } from "./labels";
import { RemoveConnectionButton } from "./remove-connection";
import type { ConnectionItem } from "./types";

/** One connection in the list: what it is, whether it works (and why not), what uses it, its control centre. */
export function ConnectionCard({ connection: c, names }: { connection: ConnectionItem; names: ReadonlyMap<string, string> }) {
  const warnings = c.status === "active" ? (c.permissions?.warnings ?? []) : [];
  return (
    <Card data-testid="connection" aria-labelledby={`conn-${c.id}`} role="group">
      <div className="flex flex-col gap-3 px-5 py-4">
        <div className="min-w-0 space-y-1">
          <h3 id={`conn-${c.id}`} className="flex flex-wrap items-center gap-2 text-base font-semibold text-slate-900">
            {c.label}
            <span className="text-sm font-normal text-slate-500">{exchangeName(c.exchangeId, names)}</span>
            <AccountBadge sandbox={c.sandbox} />
            <StatusBadge status={c.status} />
          </h3>
          {c.status === "error" && c.statusReason ? (
            <p className="text-sm text-red-700" data-testid="connection-reason">
              {c.statusReason}
            </p>
          ) : c.status === "removing" && c.statusReason ? (
            <p className="text-sm text-amber-800">{c.statusReason}</p>
          ) : null}
          {warnings.map((w) => (
            <p key={w} className="text-sm text-amber-800" data-testid="connection-warning">
              {w}
            </p>
          ))}
          <dl className="flex flex-wrap gap-x-5 gap-y-1 text-sm text-slate-600">
            <div className="flex gap-1">
              <dt>Key</dt>
              <dd className="font-mono text-slate-900" data-testid="key-hint">
                {keyHintText(c.keyHint)}
              </dd>
            </div>
            <div className="flex gap-1">
              <dt>Last check</dt>
              <dd className="text-slate-900">{c.lastCheckedAt ? formatDateTime(c.lastCheckedAt) : "not yet"}</dd>
            </div>
            <div className="flex gap-1">
              <dt>Used by</dt>
              <dd className="text-slate-900">
                {c.followings} following{c.followings === 1 ? "" : "s"} · {c.openCopies} open cop{c.openCopies === 1 ? "y" : "ies"}
              </dd>
            </div>
          </dl>
        </div>
        <div className="flex flex-wrap gap-2">
          <ButtonLink href={`/copy/connections/${c.id}`} variant="secondary" size="sm" aria-label={`Control centre of ${c.label}`}>
            Control centre
          </ButtonLink>
          <RemoveConnectionButton connection={c} />
        </div>
      </div>
    </Card>
  );
}
