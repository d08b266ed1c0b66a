"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";
import { Alert, Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { Checkbox, TextArea, TextField } from "@/components/ui/field";
import { MARKET_OPTIONS } from "@/lib/validation/providers";
import { PASSWORD_MIN } from "@/lib/validation/auth";

type FieldErrs = Record<string, string[]>;
function errorsOf(err: unknown): FieldErrs {
  return ((err as { data?: { fieldErrors?: FieldErrs | null } } | null)?.data?.fieldErrors ?? {}) as FieldErrs;
}
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
          <TextField className="flex-1" label="Your name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" errors={errorsOf(update.error).name} />
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
  const errs = errorsOf(update.error);
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
  const errs = errorsOf(create.error);
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

export function PasswordSection() {
  const trpc = useTRPC();
  const change = useMutation(trpc.account.changePassword.mutationOptions());
  const errs = errorsOf(change.error);
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
            {change.isSuccess ? <span className="text-sm text-emerald-700" role="status">Password changed.</span> : null}
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
