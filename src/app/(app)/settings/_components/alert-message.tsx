"use client";

import { useId, useState, type ReactNode } from "react";
import { Spinner } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { formatClock } from "@/lib/format/dates";
import { EXAMPLE_STOP_PERCENT, EXAMPLE_TARGET_PERCENTS, restExampleCurl } from "@/lib/signal-example";
import { ALERT_TEMPLATE, ALERT_TEMPLATE_PASSPHRASE, STRATEGY_ALERT_TEMPLATE } from "@/lib/tradingview";
import { CopyBlock } from "./copy-block";
import { useExampleSignal, type ExampleSignalState } from "./example-signal";

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
              <code className="font-mono text-xs">tp3</code>); <code className="font-mono text-xs">&quot;0&quot;</code> means none. <LevelsHint />
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

/** A worked example of the stop and target beside the template, from the live price (the template keeps "0": fixed levels would go stale). */
function LevelsHint() {
  const example = useExampleSignal();
  if (example.state === "loading") {
    return (
      <span role="status" className="inline-flex items-center gap-1.5 text-slate-500">
        <Spinner className="size-3" /> Loading an example from the {example.symbol ?? "market"} price…
      </span>
    );
  }
  if (example.state === "unavailable") return null;
  const [tp] = example.signal.takeProfits;
  return (
    <span data-testid="alert-levels-example">
      For a buy of {example.symbol} at today&apos;s {example.price}, for instance:{" "}
      <code className="font-mono text-xs">&quot;sl&quot;: &quot;{example.signal.stopLoss}&quot;</code> and{" "}
      <code className="font-mono text-xs">&quot;tp&quot;: &quot;{tp?.price}&quot;</code>.
    </span>
  );
}

/** While the example's price loads, or when it could not be: said plainly, with a way to try again. */
function ExamplePending({ example, what }: { example: Exclude<ExampleSignalState, { state: "ready" }>; what: string }) {
  const symbol = example.symbol ?? "the market";
  if (example.state === "loading") {
    return (
      <p role="status" className="flex items-center gap-2 text-sm text-slate-600">
        <Spinner className="size-3" /> Loading the {symbol} price for {what}…
      </p>
    );
  }
  return (
    <Alert tone="warning">
      No {symbol} price could be loaded, so there is no {what} to show: a stop and targets must sit on the right side of the current price, and
      without it any numbers here could be refused.{" "}
      <button type="button" onClick={example.retry} className="font-medium underline">
        Retry
      </button>
    </Alert>
  );
}

/** Publishing from code instead: the REST API, with an example request built from the live price. */
export function RestExample({ appUrl }: { appUrl: string }) {
  const example = useExampleSignal();
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
      {example.state === "ready" ? (
        <>
          <CopyBlock label="Example request" value={restExampleCurl(appUrl, example.signal)} testId="api-example" />
          <p className="text-xs text-slate-500" data-testid="api-example-basis">
            Built from the {example.symbol} price of {example.price} at {formatClock(example.at)} UTC: a long with its stop {EXAMPLE_STOP_PERCENT}% below
            and targets {EXAMPLE_TARGET_PERCENTS.join("% and ")}% above it, so it is accepted as it stands. Sent again with the same Idempotency-Key, it
            returns the first signal rather than publishing a second.
          </p>
        </>
      ) : (
        <ExamplePending example={example} what="the example request" />
      )}
    </section>
  );
}
