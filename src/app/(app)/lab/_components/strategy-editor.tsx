"use client";

/**
 * The rule builder page: name, rules and risk edited visually with live validation (parseRules on every change, the
 * messages shown at their fields and listed above Save), the JSON view with import/export, examples to start from,
 * Save (create or update: a changed document is a new version) and a one-click Backtest of what is on screen.
 */
import { useMemo, useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { EXAMPLE_RULES, parseRules, type RulesDocument } from "@/lib/rules";
import { Button } from "@/components/ui/button";
import { Alert, Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";
import { useConfirm } from "@/components/ui/alert-dialog";
import { RulesEditor, newRule, type ErrorsByPath } from "@/components/lab/rule-builder";
import { RiskEditor } from "@/components/lab/risk-editor";
import { JsonPanel } from "@/components/lab/json-panel";
import { BacktestForm } from "@/components/lab/backtest-form";

const BLANK: RulesDocument = { version: 1, name: "My strategy", rules: [newRule()] };

export function StrategyEditor({ initial }: { initial?: { id: string; name: string; rules: RulesDocument; version: number } }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const { confirm, confirmDialog } = useConfirm();
  const [doc, setDoc] = useState<RulesDocument>(initial?.rules ?? BLANK);
  const [name, setName] = useState(initial?.name ?? doc.name ?? "My strategy");
  const [saved, setSaved] = useState(initial ? JSON.stringify(initial.rules) : null);
  const [tab, setTab] = useState<"visual" | "json">("visual");

  const parsed = useMemo(() => parseRules(doc), [doc]);
  const errors: ErrorsByPath = useMemo(() => {
    const m = new Map<string, string[]>();
    if (!parsed.ok) for (const e of parsed.errors) m.set(e.path, [...(m.get(e.path) ?? []), e.message]);
    return m;
  }, [parsed]);
  const nameError = name.trim() ? (name.trim().length > 80 ? "Keep the name under 80 characters" : null) : "Give the strategy a name";

  const onSaved = (s: { id: string; rules: RulesDocument }) => {
    setSaved(JSON.stringify(s.rules));
    void qc.invalidateQueries({ queryKey: trpc.lab.strategies.list.queryKey() });
    if (!initial) router.replace(`/lab/strategies/${s.id}`);
  };
  const create = useMutation(trpc.lab.strategies.create.mutationOptions({ onSuccess: onSaved }));
  const update = useMutation(trpc.lab.strategies.update.mutationOptions({ onSuccess: onSaved }));
  const remove = useMutation(trpc.lab.strategies.delete.mutationOptions({ onSuccess: () => router.push("/lab") }));
  const saveError = create.error ?? update.error;
  const dirty = saved !== JSON.stringify(doc);

  const save = () => {
    if (!parsed.ok || nameError) return;
    const rules = { ...doc, name: name.trim() };
    if (initial) update.mutate({ id: initial.id, name: name.trim(), rules });
    else create.mutate({ name: name.trim(), rules });
  };

  return (
    <>
      {confirmDialog}
      <PageHeader
        title={initial ? name || "Strategy" : "New strategy"}
        description="Build entry and exit rules from indicators, prices and numbers. Every change is checked as you type; backtest it when it is valid."
        action={
          <div className="flex flex-wrap items-center gap-2">
            <label className="text-sm text-slate-600" htmlFor="example">
              Start from
            </label>
            <select
              id="example"
              className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
              value=""
              onChange={(e) => {
                const ex = EXAMPLE_RULES.find((x) => x.id === e.target.value);
                if (ex) {
                  setDoc(ex.doc);
                  setName(ex.doc.name ?? ex.id);
                }
              }}
            >
              <option value="">an example…</option>
              {EXAMPLE_RULES.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.doc.name ?? x.id}
                </option>
              ))}
            </select>
          </div>
        }
      />
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="min-w-0 space-y-6">
          <Card>
            <CardBody className="space-y-3">
              <TextField label="Name" value={name} maxLength={80} onChange={(e) => setName(e.target.value)} errors={nameError ? [nameError] : null} />
              <TextField
                label="Description (optional)"
                value={doc.description ?? ""}
                onChange={(e) => setDoc({ ...doc, description: e.target.value || undefined })}
                errors={errors.get("description")}
              />
            </CardBody>
          </Card>
          <Card>
            <CardHeader
              title="Rules"
              description="On each closed bar the first rule whose conditions hold acts. Orders fill at the next bar's open."
              action={
                <div role="tablist" className="flex rounded-md border border-slate-300 text-sm">
                  {(["visual", "json"] as const).map((t) => (
                    <button key={t} role="tab" type="button" aria-selected={tab === t} className={`px-3 py-1 ${tab === t ? "bg-slate-900 text-white" : "text-slate-700"}`} onClick={() => setTab(t)}>
                      {t === "visual" ? "Builder" : "JSON"}
                    </button>
                  ))}
                </div>
              }
            />
            <CardBody>
              {tab === "visual" ? (
                <RulesEditor doc={doc} onChange={setDoc} errors={errors} />
              ) : (
                <JsonPanel
                  doc={{ ...doc, name: name.trim() || undefined }}
                  onImport={(d) => {
                    setDoc(d);
                    if (d.name) setName(d.name);
                  }}
                />
              )}
            </CardBody>
          </Card>
          <Card>
            <CardHeader title="Risk" description="Stop-loss, take-profit targets and position size, applied to every entry." />
            <CardBody>
              <RiskEditor doc={doc} onChange={setDoc} errors={errors} />
            </CardBody>
          </Card>
        </div>

        <div className="space-y-6 lg:sticky lg:top-4">
          <Card>
            <CardHeader title={initial ? `Version ${initial.version}` : "Not saved yet"} description={dirty ? "You have unsaved changes." : "Saved."} />
            <CardBody className="space-y-3">
              {parsed.ok ? (
                <Alert tone="success">The rules are valid.</Alert>
              ) : (
                <div role="alert" data-testid="rule-errors" className="rounded-md border border-red-200 bg-red-50 p-3 text-xs text-red-800">
                  <p className="mb-1 font-medium">Fix {parsed.errors.length === 1 ? "this" : `these ${parsed.errors.length}`} before saving:</p>
                  <ul className="list-disc space-y-0.5 pl-4">
                    {parsed.errors.slice(0, 8).map((e, i) => (
                      <li key={i}>
                        <code>{e.path || "document"}</code>: {e.message}
                      </li>
                    ))}
                  </ul>
                </div>
              )}
              {saveError ? <Alert tone="error">{saveError.message}</Alert> : null}
              <div className="flex flex-wrap gap-2">
                <Button type="button" onClick={save} disabled={!parsed.ok || Boolean(nameError) || create.isPending || update.isPending} data-testid="save-strategy">
                  {create.isPending || update.isPending ? "Saving…" : "Save"}
                </Button>
                {initial ? (
                  <Button
                    type="button"
                    variant="ghost"
                    onClick={() =>
                      void confirm({ title: "Delete this strategy?", description: "Its backtests stay in your list.", confirmLabel: "Delete", destructive: true }).then(
                        (ok) => ok && remove.mutate({ id: initial.id }),
                      )
                    }
                  >
                    Delete
                  </Button>
                ) : null}
              </div>
            </CardBody>
          </Card>
          <Card>
            <CardHeader title="Backtest" description="Runs what is on screen (saved or not) over recorded prices. Hypothetical." />
            <CardBody>
              <BacktestForm
                disabled={!parsed.ok}
                disabledReason="Fix the rules first."
                source={() =>
                  initial && !dirty
                    ? { kind: "strategy", strategyId: initial.id }
                    : parsed.ok
                      ? { kind: "rules", name: name.trim() || undefined, rules: { ...parsed.rules, name: name.trim() || undefined } }
                      : null
                }
              />
            </CardBody>
          </Card>
        </div>
      </div>
    </>
  );
}
