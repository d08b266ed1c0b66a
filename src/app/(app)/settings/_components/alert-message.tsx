"use client";

import { useId, useState, type ReactNode } from "react";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { ALERT_TEMPLATE, ALERT_TEMPLATE_PASSPHRASE, STRATEGY_ALERT_TEMPLATE } from "@/lib/tradingview";
import { CopyBlock } from "./copy-block";

/** The template with the passphrase placeholder filled in, left visible, or dropped when none is set. */
function renderTemplate(template: string, passphrase: { set: boolean; value: string | null }): string {
  if (!passphrase.set) return template.replace(/^\s*"passphrase": .*\n/m, "");
  return passphrase.value ? template.replace(ALERT_TEMPLATE_PASSPHRASE, passphrase.value.replace(/["\\]/g, "\\$&")) : template;
}

function highlightPlaceholder(text: string): ReactNode {
  const parts = text.split(ALERT_TEMPLATE_PASSPHRASE);
  if (parts.length === 1) return text;
  return parts.flatMap((p, i) =>
    i === 0
      ? [p]
      : [
          <mark key={i} className="rounded bg-amber-100 px-0.5 text-amber-900">
            {ALERT_TEMPLATE_PASSPHRASE}
          </mark>,
          p,
        ],
  );
}

const KINDS = [
  ["alert", "Indicator or price alert"],
  ["strategy", "Strategy (order fills)"],
] as const;
type Kind = (typeof KINDS)[number][0];

/** The alert message to paste into TradingView, for an indicator/price alert or a strategy, with the passphrase. */
export function AlertMessage({ passphrase }: { passphrase: { set: boolean; value: string | null } }) {
  const id = useId();
  const [template, setTemplate] = useState<Kind>("alert");
  const templateText = renderTemplate(template === "alert" ? ALERT_TEMPLATE : STRATEGY_ALERT_TEMPLATE, passphrase);
  return (
    <section aria-labelledby="tv-template" className="space-y-3 border-t border-slate-100 pt-5">
      <h3 id="tv-template" className="text-sm font-semibold text-slate-900">
        Alert message
      </h3>
      <RadioGroup value={template} onValueChange={(v) => setTemplate(v as Kind)} aria-label="Kind of alert" className="flex flex-wrap gap-4 text-sm">
        {KINDS.map(([value, label]) => (
          <div key={value} className="flex items-center gap-2 text-slate-700">
            <RadioGroupItem value={value} id={`${id}-${value}`} />
            <label htmlFor={`${id}-${value}`}>{label}</label>
          </div>
        ))}
      </RadioGroup>
      <CopyBlock
        label={template === "alert" ? "Alert message template" : "Strategy alert message template"}
        value={templateText}
        display={highlightPlaceholder(templateText)}
        testId="alert-template"
      />
      <ul className="list-disc space-y-1 pl-5 text-sm text-slate-600">
        {template === "alert" ? (
          <>
            <li>
              Set <code className="font-mono text-xs">action</code> to <code className="font-mono text-xs">buy</code>,{" "}
              <code className="font-mono text-xs">sell</code>, <code className="font-mono text-xs">exit</code> or{" "}
              <code className="font-mono text-xs">cancel</code>: one alert per action.
            </li>
            <li>
              Replace the <code className="font-mono text-xs">&quot;0&quot;</code> of <code className="font-mono text-xs">sl</code> and{" "}
              <code className="font-mono text-xs">tp</code> with your stop and target (or <code className="font-mono text-xs">tp1</code> to{" "}
              <code className="font-mono text-xs">tp3</code>); <code className="font-mono text-xs">&quot;0&quot;</code> means none.
            </li>
          </>
        ) : (
          <li>One alert covers every fill: the strategy supplies the action and the position.</li>
        )}
        {passphrase.set && !passphrase.value ? (
          <li>
            Replace <mark className="rounded bg-amber-100 px-0.5 font-mono text-xs text-amber-900">{ALERT_TEMPLATE_PASSPHRASE}</mark> with your passphrase.
          </li>
        ) : null}
        {!passphrase.set ? <li>No passphrase is set, so the message carries none.</li> : null}
        <li>
          Keep the <code className="font-mono text-xs">time</code> field: alerts that arrive more than a couple of minutes late are refused as stale, and a
          repeated delivery never creates a second signal.
        </li>
      </ul>
    </section>
  );
}

/** Publishing from code instead: the REST API, with an example request. */
export function RestExample({ appUrl }: { appUrl: string }) {
  const curl = `curl -X POST ${appUrl}/api/v1/signals \\
  -H "Authorization: Bearer tsk_…" \\
  -H "Content-Type: application/json" \\
  -H "Idempotency-Key: my-bot-0001" \\
  -d '{
    "symbol": "BTC/USDT",
    "side": "long",
    "entryType": "market",
    "stopLoss": "29500",
    "takeProfits": [
      { "price": "32000", "share": "0.5" },
      { "price": "34000", "share": "0.5" }
    ],
    "note": "Breakout above the range"
  }'`;
  return (
    <section aria-labelledby="rest-api" className="space-y-3 border-t border-slate-100 pt-5">
      <h3 id="rest-api" className="text-sm font-semibold text-slate-900">
        Or publish from code: the REST API
      </h3>
      <p className="text-sm text-slate-600">
        Send an{" "}
        <a href="#api-keys" className="font-medium text-brand-700 hover:underline">
          API key
        </a>{" "}
        as a bearer token. Shares are fractions of the position (0.5 is half); <code className="font-mono text-xs">GET /api/v1/signals</code> lists your
        signals.
      </p>
      <CopyBlock label="Example request" value={curl} testId="api-example" />
    </section>
  );
}
