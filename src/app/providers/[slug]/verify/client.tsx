"use client";

import { useEffect, useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import { Alert, Badge, Card, CardBody, CardHeader, EmptyState } from "@/components/ui/card";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { CHECK_LABELS, checkSignalStates, verifyChain, type ChainProblem, type ChainVerification, type PublicChain } from "@/lib/chain";
import { formatCount } from "@/lib/format/numbers";

type Phase =
  | { state: "downloading" }
  | { state: "verifying"; checked: number; total: number }
  | { state: "done"; chain: PublicChain; result: ChainVerification }
  | { state: "error"; message: string };

const KIND_LABEL: Record<string, string> = {
  published: "Published",
  filled: "Filled",
  stop_moved: "Stop moved",
  partial_close: "Partial close",
  closed: "Closed",
  cancelled: "Cancelled",
  expired: "Expired",
};
const ROWS = 100;

/** "2026-11-21T06:30:00.000Z" -> "2026-11-21 06:30:00": the stored string itself, so nothing is lost to formatting. */
const utc = (at: unknown) => (typeof at === "string" ? at.replace("T", " ").replace(/\.\d{3}Z$/, "") : "—");

function isPublicChain(body: unknown): body is PublicChain {
  const b = body as Partial<PublicChain> | null;
  return !!b && typeof b === "object" && Array.isArray(b.entries) && b.entries.every((e) => typeof e === "object" && e !== null);
}

/** Downloads the public chain and recomputes it here, in the browser, with the same code the server uses. */
export function VerifyClient({ chainUrl, displayName }: { chainUrl: string; displayName: string }) {
  const [phase, setPhase] = useState<Phase>({ state: "downloading" });
  const [run, setRun] = useState(0);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const res = await fetch(chainUrl, { cache: "no-store" });
        if (!res.ok) throw new Error(`The chain could not be downloaded (HTTP ${res.status}).`);
        const body: unknown = await res.json();
        if (!isPublicChain(body)) throw new Error("The server's answer is not a chain.");
        if (cancelled) return;
        setPhase({ state: "verifying", checked: 0, total: body.entries.length });
        const chainResult = await verifyChain(body.entries, {
          onProgress: (checked, total) => {
            if (!cancelled) setPhase({ state: "verifying", checked, total });
          },
        });
        const stateProblems = checkSignalStates(Array.isArray(body.signals) ? body.signals : [], body.entries);
        const problems = [...chainResult.problems, ...stateProblems].sort((a, b) => a.seq - b.seq);
        if (!cancelled) setPhase({ state: "done", chain: body, result: { ...chainResult, ok: problems.length === 0, problems } });
      } catch (err) {
        const message = err instanceof Error && err.message.startsWith("The ") ? err.message : "The chain could not be downloaded. Check your connection and try again.";
        if (!cancelled) setPhase({ state: "error", message });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [chainUrl, run]);

  const again = () => {
    setPhase({ state: "downloading" });
    setRun((n) => n + 1);
  };

  return (
    <Card>
      <CardHeader
        title="Verification in your browser"
        description={`Every hash of ${displayName}'s chain is recomputed on this device; nothing is taken on trust from our server.`}
        action={
          phase.state === "done" || phase.state === "error" ? (
            <Button variant="secondary" size="sm" onClick={again}>
              Run again
            </Button>
          ) : null
        }
      />
      <CardBody>
        {phase.state === "downloading" || phase.state === "verifying" ? <Progress phase={phase} /> : null}
        {phase.state === "error" ? <Alert tone="error">{phase.message}</Alert> : null}
        {phase.state === "done" ? <Outcome chain={phase.chain} result={phase.result} displayName={displayName} /> : null}
      </CardBody>
    </Card>
  );
}

function Progress({ phase }: { phase: Extract<Phase, { state: "downloading" | "verifying" }> }) {
  const label = phase.state === "downloading" ? "Downloading the chain…" : `Checked ${formatCount(phase.checked)} of ${formatCount(phase.total)} entries`;
  return (
    <div role="status" aria-live="polite" className="py-2">
      <p className="mb-2 text-sm text-slate-700" id="verify-progress-label">
        {label}
      </p>
      {/* No value while downloading: an indeterminate bar, since the size is not known yet. */}
      <progress
        aria-labelledby="verify-progress-label"
        className="h-2 w-full appearance-none overflow-hidden rounded-full bg-slate-100 [&::-moz-progress-bar]:bg-brand-600 [&::-webkit-progress-bar]:bg-slate-100 [&::-webkit-progress-value]:bg-brand-600"
        {...(phase.state === "verifying" ? { value: phase.checked, max: Math.max(phase.total, 1) } : {})}
      />
    </div>
  );
}

function Outcome({ chain, result, displayName }: { chain: PublicChain; result: ChainVerification; displayName: string }) {
  if (chain.entries.length === 0) {
    return (
      <EmptyState
        icon={
          <svg viewBox="0 0 24 24" className="size-8" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
            <path d="M10 14a4 4 0 0 0 5.66 0l3-3a4 4 0 0 0-5.66-5.66l-1 1M14 10a4 4 0 0 0-5.66 0l-3 3a4 4 0 0 0 5.66 5.66l1-1" />
          </svg>
        }
        title="No entries to verify yet"
      >
        {displayName} hasn&rsquo;t published a signal yet. The chain starts with the first one: it is sealed the moment it arrives, and
        every later change is appended after it. Come back once signals are published.
      </EmptyState>
    );
  }

  const revealed = result.checked - result.hidden;
  return (
    <div className="space-y-5">
      {result.ok ? (
        <Alert tone="success">
          <div className="flex flex-wrap items-center gap-3">
            <span className="inline-flex items-center gap-1.5 rounded-full bg-emerald-600 px-3 py-1 text-sm font-semibold text-white">
              <svg viewBox="0 0 20 20" className="size-4" fill="currentColor" aria-hidden="true">
                <path fillRule="evenodd" d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z" clipRule="evenodd" />
              </svg>
              Verified
            </span>
            <span className="font-medium">Every entry is intact and linked, and the revealed signals match what the site shows.</span>
          </div>
          <Counts entries={result.checked} revealed={revealed} hidden={result.hidden} />
        </Alert>
      ) : (
        <Alert tone="error">
          <p className="text-base font-semibold">
            Verification failed: {result.problems.length} {result.problems.length === 1 ? "problem" : "problems"}
          </p>
          <p className="mt-1">This record does not match its hashes. Each problem names the entry (seq) where it was found.</p>
          <ul className="mt-3 space-y-1.5">
            {result.problems.map((p, i) => (
              <li key={i} className="flex flex-col gap-x-2 sm:flex-row">
                <span className="shrink-0 font-mono font-semibold">{p.seq > 0 ? `seq ${p.seq}` : "signal"}</span>
                <span>
                  <span className="font-semibold">{CHECK_LABELS[p.check]}</span>: {p.message}
                </span>
              </li>
            ))}
          </ul>
          <Counts entries={result.checked} revealed={revealed} hidden={result.hidden} />
        </Alert>
      )}

      {result.head ? (
        <p className="text-sm text-slate-600">
          Latest hash <code className="font-mono text-xs break-all text-slate-900">{result.head}</code>. Note it down: any later download
          must still contain this entry unchanged, so history cannot be quietly rewritten from here on.
        </p>
      ) : null}

      <EntryTable entries={chain.entries} problems={result.problems} />
    </div>
  );
}

function Counts({ entries, revealed, hidden }: { entries: number; revealed: number; hidden: number }) {
  return (
    <ul className="mt-3 flex flex-wrap gap-2" aria-label="Counts">
      <li>
        <Badge tone="slate">{formatCount(entries)} entries</Badge>
      </li>
      <li>
        <Badge tone="green">{formatCount(revealed)} revealed and recomputed</Badge>
      </li>
      <li>
        <Badge tone="amber">{formatCount(hidden)} hidden while open</Badge>
      </li>
    </ul>
  );
}

function EntryTable({ entries, problems }: { entries: PublicChain["entries"]; problems: ChainProblem[] }) {
  const [all, setAll] = useState(false);
  const bad = useMemo(() => new Set(problems.map((p) => p.seq)), [problems]);
  // Newest first: the latest signals are what people usually come to check.
  const rows = useMemo(() => [...entries].reverse(), [entries]);
  const shown = all ? rows : rows.slice(0, ROWS);
  return (
    <div>
      <Table containerClassName="rounded-lg border border-slate-200" className="min-w-[36rem]">
        <TableCaption className="sr-only">Chain entries, newest first</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead className="px-3 py-2 text-right">Seq</TableHead>
            <TableHead className="px-3 py-2">Event</TableHead>
            <TableHead className="px-3 py-2">Time (UTC)</TableHead>
            <TableHead className="px-3 py-2">Hash</TableHead>
            <TableHead className="px-3 py-2">Contents</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {shown.map((e, i) => {
            const flagged = bad.has(e.seq);
            return (
              <TableRow key={`${e.seq}-${i}`} className={flagged ? "bg-red-50" : undefined}>
                <TableCell className="px-3 py-2 text-right font-mono text-xs text-slate-900 tabular-nums">
                  {flagged ? <span className="sr-only">Problem at </span> : null}
                  {String(e.seq)}
                  {flagged ? (
                    <span aria-hidden="true" className="ml-1 font-bold text-red-700">
                      !
                    </span>
                  ) : null}
                </TableCell>
                <TableCell className="px-3 py-2 whitespace-nowrap text-slate-900">{KIND_LABEL[e.kind] ?? String(e.kind)}</TableCell>
                <TableCell className="px-3 py-2 font-mono text-xs whitespace-nowrap text-slate-600">
                  <time dateTime={typeof e.at === "string" ? e.at : undefined}>{utc(e.at)}</time>
                </TableCell>
                <TableCell className="px-3 py-2 font-mono text-xs text-slate-600" title={String(e.hash)}>
                  {String(e.hash).slice(0, 12)}…
                </TableCell>
                <TableCell className="px-3 py-2">{e.data === null ? <Badge tone="amber">Hidden while open</Badge> : <Badge tone="green">Revealed</Badge>}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {rows.length > ROWS ? (
        <div className="mt-3 flex items-center justify-between gap-3 text-sm text-slate-600">
          <span>
            Showing {formatCount(shown.length)} of {formatCount(rows.length)} entries; all of them were checked.
          </span>
          <Button variant="secondary" size="sm" onClick={() => setAll((v) => !v)}>
            {all ? `Show the latest ${ROWS}` : "Show all"}
          </Button>
        </div>
      ) : null}
    </div>
  );
}
