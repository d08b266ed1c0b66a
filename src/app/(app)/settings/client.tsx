"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { renewSession } from "@/server/auth/renew-session";
import { Alert, Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { Checkbox, TextArea, TextField } from "@/components/ui/field";
import { MARKET_OPTIONS } from "@/lib/validation/providers";
import { PASSWORD_MIN } from "@/lib/validation/auth";
import { ALERT_TEMPLATE, ALERT_TEMPLATE_PASSPHRASE, STRATEGY_ALERT_TEMPLATE } from "@/lib/tradingview";

const dateFmt = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export function ResendVerification() {
  const trpc = useTRPC();
  const resend = useMutation(trpc.auth.resendVerification.mutationOptions());
  if (resend.isSuccess) return <span className="text-sm font-medium">New link sent.</span>;
  return (
    <span className="flex items-center gap-2">
      {resend.isError ? <span className="text-sm">{resend.error.message}</span> : null}
      <Button variant="secondary" size="sm" loading={resend.isPending} onClick={() => resend.mutate({})}>
        Resend link
      </Button>
    </span>
  );
}

export function ProfileSection({ name: initial }: { name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState(initial);
  const update = useMutation(trpc.account.updateProfile.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <Card>
      <CardHeader title="Profile" description="How your name appears across Tradsy." />
      <CardBody>
        <form
          className="flex max-w-lg flex-col gap-4 sm:flex-row sm:items-start"
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate({ name });
          }}
          noValidate
        >
          <TextField className="flex-1" label="Your name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" errors={serverFieldErrors(update.error).name} />
          <Button type="submit" className="sm:mt-6" loading={update.isPending}>
            Save
          </Button>
        </form>
        {update.isSuccess ? <p className="mt-2 text-sm text-emerald-700" role="status">Saved.</p> : null}
      </CardBody>
    </Card>
  );
}

export function EmailSection({ email, verified }: { email: string; verified: boolean }) {
  return (
    <Card>
      <CardHeader title="Email" />
      <CardBody className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-700">
          {email} {verified ? <Badge tone="green">Confirmed</Badge> : <Badge tone="amber">Not confirmed</Badge>}
        </p>
        {verified ? null : <ResendVerification />}
      </CardBody>
    </Card>
  );
}

export function ProviderProfileSection({ profile }: { profile: { displayName: string; tagline: string; bio: string; markets: string[]; slug: string } }) {
  const trpc = useTRPC();
  const router = useRouter();
  const update = useMutation(trpc.providers.updateMine.mutationOptions({ onSuccess: () => router.refresh() }));
  const errs = serverFieldErrors(update.error);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    update.mutate({
      displayName: String(f.get("displayName") ?? ""),
      tagline: String(f.get("tagline") ?? ""),
      bio: String(f.get("bio") ?? ""),
      markets: f.getAll("markets").map(String) as (typeof MARKET_OPTIONS)[number][],
    });
  };
  return (
    <Card id="provider-profile">
      <CardHeader title="Provider profile" description={`Shown publicly at /providers/${profile.slug}.`} />
      <CardBody>
        <form onSubmit={onSubmit} className="max-w-2xl space-y-4" noValidate>
          {update.isError && !Object.keys(errs).length ? <Alert tone="error">{update.error.message}</Alert> : null}
          <TextField label="Display name" name="displayName" defaultValue={profile.displayName} errors={errs.displayName} />
          <TextField label="Tagline" name="tagline" defaultValue={profile.tagline} errors={errs.tagline} hint="One line on what you trade and how." />
          <TextArea label="Bio" name="bio" defaultValue={profile.bio} errors={errs.bio} />
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">Markets</legend>
            <div className="mt-2 flex flex-wrap gap-4">
              {MARKET_OPTIONS.map((m) => (
                <Checkbox key={m} name="markets" value={m} defaultChecked={profile.markets.includes(m)} label={m[0]!.toUpperCase() + m.slice(1)} />
              ))}
            </div>
            {errs.markets ? <p className="mt-1 text-sm text-red-700" role="alert">{errs.markets[0]}</p> : null}
          </fieldset>
          <div className="flex items-center gap-3">
            <Button type="submit" loading={update.isPending}>
              Save profile
            </Button>
            {update.isSuccess ? <span className="text-sm text-emerald-700" role="status">Profile saved.</span> : null}
          </div>
        </form>
      </CardBody>
    </Card>
  );
}

type KeyRow = { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null };

export function ApiKeysSection({ initialKeys }: { initialKeys: KeyRow[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery({ ...trpc.apiKeys.list.queryOptions(), initialData: initialKeys });
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (row) => {
        // Show the new row at once; the refetch then confirms it.
        queryClient.setQueryData(trpc.apiKeys.list.queryKey(), (old) => [
          { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt, lastUsedAt: null, revokedAt: null },
          ...(old ?? []),
        ]);
        setCreated({ name: row.name, key: row.key });
        setCopied(false);
        setName("");
        void invalidate();
      },
    }),
  );
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: () => void invalidate() }));
  const errs = serverFieldErrors(create.error);
  return (
    <Card id="api-keys">
      <CardHeader title="API keys" description="Publish signals from your own code with POST /api/v1/signals. Keys are shown once; we only keep a hash." />
      <CardBody className="space-y-5">
        <form
          className="flex max-w-lg flex-col gap-3 sm:flex-row sm:items-start"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate({ name });
          }}
          noValidate
        >
          <TextField className="flex-1" label="Key name" placeholder="e.g. Trading bot" value={name} onChange={(e) => setName(e.target.value)} errors={errs.name} />
          <Button type="submit" className="sm:mt-6" loading={create.isPending}>
            Create key
          </Button>
        </form>
        {create.isError && !errs.name ? <Alert tone="error">{create.error.message}</Alert> : null}
        {created ? (
          <Alert tone="success">
            <p className="font-medium">Your new key “{created.name}”. Copy it now: it will not be shown again.</p>
            <div className="mt-2 flex flex-wrap items-center gap-2">
              <code data-testid="new-api-key" className="rounded bg-white px-2 py-1 font-mono text-sm break-all text-slate-900 ring-1 ring-emerald-200">
                {created.key}
              </code>
              <Button
                variant="secondary"
                size="sm"
                onClick={() => {
                  void navigator.clipboard?.writeText(created.key).then(() => setCopied(true));
                }}
              >
                {copied ? "Copied" : "Copy"}
              </Button>
            </div>
          </Alert>
        ) : null}
        {keys.data.length ? (
          <div className="overflow-x-auto">
            <table className="w-full min-w-[560px] text-left text-sm">
              <caption className="sr-only">Your API keys</caption>
              <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
                <tr>
                  <th scope="col" className="py-2 pr-4 font-medium">Name</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Key</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Created</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Last used</th>
                  <th scope="col" className="py-2 font-medium"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {keys.data.map((k) => (
                  <tr key={k.id} data-testid="api-key-row">
                    <td className="py-2 pr-4 font-medium text-slate-900">{k.name}</td>
                    <td className="py-2 pr-4 font-mono text-slate-600">{k.prefix}…</td>
                    <td className="py-2 pr-4 text-slate-600">{dateFmt.format(k.createdAt)}</td>
                    <td className="py-2 pr-4 text-slate-600">{k.lastUsedAt ? dateFmt.format(k.lastUsedAt) : "Never"}</td>
                    <td className="py-2 text-right">
                      {k.revokedAt ? (
                        <Badge tone="red">Revoked</Badge>
                      ) : (
                        <Button
                          variant="secondary"
                          size="sm"
                          aria-label={`Revoke ${k.name}`}
                          loading={revoke.isPending && revoke.variables?.id === k.id}
                          onClick={() => {
                            if (window.confirm(`Revoke “${k.name}”? Anything using it will stop working at once.`)) revoke.mutate({ id: k.id });
                          }}
                        >
                          Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="text-sm text-slate-600">You have no API keys yet.</p>
        )}
        {revoke.isError ? <Alert tone="error">{revoke.error.message}</Alert> : null}
      </CardBody>
    </Card>
  );
}

/** A read-only block of code or a secret with a copy button; says "Copied" to screen readers too. */
function CopyBlock({ label, value, display, testId }: { label: string; value: string; display?: ReactNode; testId?: string }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const preRef = useRef<HTMLPreElement>(null);
  const copy = () => {
    const done = () => setCopied("yes");
    const fail = () => {
      // Clipboard API unavailable (plain http, old browser): select the text so Ctrl/Cmd+C works.
      const range = document.createRange();
      if (preRef.current) {
        range.selectNodeContents(preRef.current);
        window.getSelection()?.removeAllRanges();
        window.getSelection()?.addRange(range);
      }
      setCopied("failed");
    };
    if (navigator.clipboard?.writeText) navigator.clipboard.writeText(value).then(done, fail);
    else fail();
  };
  useEffect(() => {
    if (!copied) return;
    const t = window.setTimeout(() => setCopied(null), 2500);
    return () => window.clearTimeout(t);
  }, [copied]);
  return (
    <div className="overflow-hidden rounded-md border border-slate-200">
      <div className="flex items-center justify-between gap-3 border-b border-slate-200 bg-slate-50 px-3 py-1.5">
        <span className="text-xs font-medium text-slate-600">{label}</span>
        <span className="flex items-center gap-2">
          <span className="text-xs text-slate-500" aria-live="polite">
            {copied === "yes" ? "Copied" : copied === "failed" ? "Selected: press Ctrl+C to copy" : ""}
          </span>
          <Button type="button" variant="secondary" size="sm" className="h-7" onClick={copy} aria-label={`Copy ${label.toLowerCase()}`}>
            Copy
          </Button>
        </span>
      </div>
      <pre ref={preRef} data-testid={testId} className="overflow-x-auto bg-white px-3 py-2.5 font-mono text-xs leading-relaxed text-slate-800">
        <code>{display ?? value}</code>
      </pre>
    </div>
  );
}

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

export function TradingViewSection({ initial }: { initial: { configured: boolean; passphrase: boolean; baseUrl: string } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery({ ...trpc.providers.webhook.queryOptions(), initialData: initial });
  const [newUrl, setNewUrl] = useState<string | null>(null);
  const [confirmReplace, setConfirmReplace] = useState(false);
  const [passphraseDraft, setPassphraseDraft] = useState("");
  // Only known in this browser right after it is set: the server keeps it encrypted and never sends it back.
  const [knownPassphrase, setKnownPassphrase] = useState<string | null>(null);
  const [template, setTemplate] = useState<"alert" | "strategy">("alert");
  const urlRef = useRef<HTMLDivElement>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.providers.webhook.queryKey() });

  const rotate = useMutation(
    trpc.providers.rotateWebhook.mutationOptions({
      onSuccess: ({ url }) => {
        setNewUrl(url);
        setConfirmReplace(false);
        queryClient.setQueryData(trpc.providers.webhook.queryKey(), (old) => (old ? { ...old, configured: true } : old));
        void refresh();
      },
    }),
  );
  const setPassphrase = useMutation(
    trpc.providers.setWebhookPassphrase.mutationOptions({
      onSuccess: (_res, { passphrase }) => {
        setKnownPassphrase(passphrase);
        setPassphraseDraft("");
        queryClient.setQueryData(trpc.providers.webhook.queryKey(), (old) => (old ? { ...old, passphrase: Boolean(passphrase) } : old));
        void refresh();
      },
    }),
  );
  useEffect(() => {
    if (newUrl) urlRef.current?.focus();
  }, [newUrl]);

  const { configured, passphrase, baseUrl } = status.data;
  const appUrl = baseUrl.replace(/\/api\/webhooks\/tradingview\/?$/, "");
  const passErrs = serverFieldErrors(setPassphrase.error);
  const templateText = renderTemplate(template === "alert" ? ALERT_TEMPLATE : STRATEGY_ALERT_TEMPLATE, { set: passphrase, value: knownPassphrase });
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
    <Card id="tradingview">
      <CardHeader
        title="TradingView alerts"
        description="Publish straight from TradingView: an alert that calls your private webhook becomes a signal, checked by the same rules as the form."
        action={configured ? <Badge tone="green">Webhook active</Badge> : <Badge>Not set up</Badge>}
      />
      <CardBody className="space-y-6">
        <ol className="grid gap-4 text-sm sm:grid-cols-3">
          {[
            ["Create your webhook URL", "It is secret: anyone who has it can publish as you. We keep only a hash of it."],
            ["Add it to an alert", "In TradingView's alert dialog, under Notifications, tick Webhook URL and paste it."],
            ["Paste the message", "Use the template below as the alert's Message; buy, sell, exit and cancel are understood."],
          ].map(([title, body], i) => (
            <li key={title} className="flex gap-3">
              <span aria-hidden="true" className="flex size-6 shrink-0 items-center justify-center rounded-full bg-brand-50 text-xs font-semibold text-brand-800 ring-1 ring-brand-100">
                {i + 1}
              </span>
              <div>
                <p className="font-medium text-slate-900">{title}</p>
                <p className="mt-0.5 text-slate-600">{body}</p>
              </div>
            </li>
          ))}
        </ol>

        <section aria-labelledby="tv-url" className="space-y-3">
          <h3 id="tv-url" className="text-sm font-semibold text-slate-900">
            Webhook URL
          </h3>
          {newUrl ? (
            <div ref={urlRef} tabIndex={-1} className="space-y-2 outline-none">
              <Alert tone="success">
                <p className="font-medium">Your webhook URL is ready. Copy it now: it will not be shown again.</p>
              </Alert>
              <CopyBlock label="Webhook URL" value={newUrl} testId="webhook-url" />
            </div>
          ) : (
            <p className="text-sm text-slate-600">
              {configured ? (
                <>
                  A webhook URL is active. It was shown once when it was created; if you have lost it, replace it. The address starts with{" "}
                  <code className="font-mono text-xs break-all">{baseUrl}</code>.
                </>
              ) : (
                <>You have no webhook URL yet.</>
              )}
            </p>
          )}
          {rotate.isError ? <Alert tone="error">{rotate.error.message}</Alert> : null}
          {configured && confirmReplace ? (
            <div className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
              <p>
                <strong>Replacing the URL breaks every alert that uses the current one.</strong> They will be refused until you paste the new URL into
                each of them.
              </p>
              <div className="mt-3 flex flex-wrap gap-2">
                <Button type="button" variant="danger" size="sm" loading={rotate.isPending} onClick={() => rotate.mutate()}>
                  Replace webhook URL
                </Button>
                <Button type="button" variant="ghost" size="sm" onClick={() => setConfirmReplace(false)}>
                  Keep the current URL
                </Button>
              </div>
            </div>
          ) : configured ? (
            <Button type="button" variant="secondary" onClick={() => setConfirmReplace(true)}>
              Replace webhook URL
            </Button>
          ) : (
            <Button type="button" loading={rotate.isPending} onClick={() => rotate.mutate()}>
              Create webhook URL
            </Button>
          )}
        </section>

        <section aria-labelledby="tv-passphrase" className="space-y-3 border-t border-slate-100 pt-5">
          <div className="flex flex-wrap items-center gap-2">
            <h3 id="tv-passphrase" className="text-sm font-semibold text-slate-900">
              Passphrase <span className="font-normal text-slate-500">(optional)</span>
            </h3>
            {passphrase ? <Badge tone="green">Set</Badge> : <Badge>Not set</Badge>}
          </div>
          <p className="text-sm text-slate-600">
            A second secret inside the alert message. With one set, alerts without the matching <code className="font-mono text-xs">passphrase</code> field are
            refused, even from the right URL.
          </p>
          <form
            className="flex max-w-lg flex-col gap-3 sm:flex-row sm:items-start"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              setPassphrase.mutate({ passphrase: passphraseDraft });
            }}
          >
            <TextField
              className="flex-1"
              label={passphrase ? "New passphrase" : "Passphrase"}
              autoComplete="off"
              spellCheck={false}
              value={passphraseDraft}
              onChange={(e) => setPassphraseDraft(e.target.value)}
              errors={passErrs.passphrase}
              hint="8 to 100 characters."
            />
            <Button type="submit" className="sm:mt-6" loading={setPassphrase.isPending && setPassphrase.variables?.passphrase !== null}>
              {passphrase ? "Change" : "Set passphrase"}
            </Button>
          </form>
          {passphrase ? (
            <Button
              type="button"
              variant="ghost"
              size="sm"
              loading={setPassphrase.isPending && setPassphrase.variables?.passphrase === null}
              onClick={() => {
                if (window.confirm("Remove the passphrase? Alerts will then be accepted with the webhook URL alone.")) setPassphrase.mutate({ passphrase: null });
              }}
            >
              Remove passphrase
            </Button>
          ) : null}
          {setPassphrase.isError && !passErrs.passphrase ? <Alert tone="error">{setPassphrase.error.message}</Alert> : null}
          {setPassphrase.isSuccess ? (
            <p className="text-sm text-emerald-700" role="status">
              {setPassphrase.variables?.passphrase ? "Passphrase saved. The templates below now include it." : "Passphrase removed."}
            </p>
          ) : null}
        </section>

        <section aria-labelledby="tv-template" className="space-y-3 border-t border-slate-100 pt-5">
          <h3 id="tv-template" className="text-sm font-semibold text-slate-900">
            Alert message
          </h3>
          <fieldset>
            <legend className="sr-only">Kind of alert</legend>
            <div className="flex flex-wrap gap-4 text-sm">
              {(
                [
                  ["alert", "Indicator or price alert"],
                  ["strategy", "Strategy (order fills)"],
                ] as const
              ).map(([value, label]) => (
                <label key={value} className="flex items-center gap-2 text-slate-700">
                  <input type="radio" name="tv-template" value={value} checked={template === value} onChange={() => setTemplate(value)} className="size-4 accent-brand-700" />
                  {label}
                </label>
              ))}
            </div>
          </fieldset>
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
            {passphrase && !knownPassphrase ? (
              <li>
                Replace <mark className="rounded bg-amber-100 px-0.5 font-mono text-xs text-amber-900">{ALERT_TEMPLATE_PASSPHRASE}</mark> with your passphrase.
              </li>
            ) : null}
            {!passphrase ? <li>No passphrase is set, so the message carries none.</li> : null}
            <li>Keep the <code className="font-mono text-xs">time</code> field: alerts that arrive more than a couple of minutes late are refused as stale, and a repeated delivery never creates a second signal.</li>
          </ul>
        </section>

        <section aria-labelledby="rest-api" className="space-y-3 border-t border-slate-100 pt-5">
          <h3 id="rest-api" className="text-sm font-semibold text-slate-900">
            Or publish from code: the REST API
          </h3>
          <p className="text-sm text-slate-600">
            Send an <a href="#api-keys" className="font-medium text-brand-700 hover:underline">API key</a> as a bearer token. Shares are fractions of the
            position (0.5 is half); <code className="font-mono text-xs">GET /api/v1/signals</code> lists your signals.
          </p>
          <CopyBlock label="Example request" value={curl} testId="api-example" />
        </section>
      </CardBody>
    </Card>
  );
}

export function PasswordSection() {
  const trpc = useTRPC();
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      // The change ended every session of the account; this browser keeps its own by renewing it at once.
      onSuccess: ({ sessionRenewal }) => renewSession(sessionRenewal),
    }),
  );
  const errs = serverFieldErrors(change.error);
  return (
    <Card>
      <CardHeader title="Password" />
      <CardBody>
        <form
          className="max-w-lg space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const form = e.currentTarget;
            change.mutate(
              { currentPassword: String(f.get("currentPassword") ?? ""), newPassword: String(f.get("newPassword") ?? "") },
              { onSuccess: () => form.reset() },
            );
          }}
          noValidate
        >
          {change.isError && !Object.keys(errs).length ? <Alert tone="error">{change.error.message}</Alert> : null}
          <TextField label="Current password" name="currentPassword" type="password" autoComplete="current-password" errors={errs.currentPassword} />
          <TextField label="New password" name="newPassword" type="password" autoComplete="new-password" errors={errs.newPassword} hint={`At least ${PASSWORD_MIN} characters.`} />
          <div className="flex items-center gap-3">
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
            {change.isSuccess ? (
              <span className="text-sm text-emerald-700" role="status">
                Password changed. You were signed out everywhere else.
              </span>
            ) : null}
          </div>
        </form>
      </CardBody>
    </Card>
  );
}

export function NotificationsSection({ prefs }: { prefs: { signalEmails: boolean; digestEmails: boolean; productEmails: boolean } }) {
  const trpc = useTRPC();
  const [value, setValue] = useState(prefs);
  const save = useMutation(trpc.account.updateNotificationPrefs.mutationOptions());
  const toggle = (key: keyof typeof prefs) => (e: React.ChangeEvent<HTMLInputElement>) => {
    const next = { ...value, [key]: e.target.checked };
    setValue(next);
    save.mutate(next);
  };
  return (
    <Card>
      <CardHeader title="Email notifications" description="Security and billing emails are always sent." />
      <CardBody className="space-y-3">
        <Checkbox label="Signal alerts from providers I follow" checked={value.signalEmails} onChange={toggle("signalEmails")} />
        <Checkbox label="Daily digest and monthly report" checked={value.digestEmails} onChange={toggle("digestEmails")} />
        <Checkbox label="Product news and tips" checked={value.productEmails} onChange={toggle("productEmails")} />
        <p className="text-sm text-slate-500" role="status" aria-live="polite">
          {save.isPending ? "Saving…" : save.isError ? save.error.message : save.isSuccess ? "Saved." : ""}
        </p>
      </CardBody>
    </Card>
  );
}
