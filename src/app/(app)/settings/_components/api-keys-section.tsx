"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert, Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { DataTable, type Column } from "@/components/ui/data-table";
import { TextField } from "@/components/ui/field";
import { messages, setServerErrors } from "@/components/forms/errors";
import { useStepUp } from "@/components/security/step-up-dialog";
import { formatDateTime } from "@/lib/format/dates";
import { apiKeyCreateSchema } from "@/lib/validation/providers";

type KeyRow = { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null };

export function ApiKeysSection({ initialKeys }: { initialKeys: KeyRow[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery({ ...trpc.apiKeys.list.queryOptions(), initialData: initialKeys });
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const form = useForm<z.input<typeof apiKeyCreateSchema>>({
    defaultValues: { name: "" },
    resolver: zodResolver(apiKeyCreateSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  // With two-factor sign-in on, a new key needs a code confirmed in the last 10 minutes: asked here, then resent.
  const { guard, stepUpDialog } = useStepUp();
  const create = useMutation(
    guard(
      trpc.apiKeys.create.mutationOptions({
        onSuccess: (row) => {
          // Show the new row at once; the refetch then confirms it.
          queryClient.setQueryData(trpc.apiKeys.list.queryKey(), (old) => [
            { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt, lastUsedAt: null, revokedAt: null },
            ...(old ?? []),
          ]);
          setCreated({ name: row.name, key: row.key });
          setCopied(false);
          form.reset({ name: "" });
          void invalidate();
        },
        onError: (err) => setServerErrors(form.setError, serverFieldErrors(err), ["name"]),
      }),
    ),
  );
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: () => void invalidate() }));
  const { confirm, confirmDialog } = useConfirm();
  const nameError = form.formState.errors.name;
  const cell = "px-0 py-2 pr-4";
  const columns: Column<KeyRow>[] = [
    { id: "name", header: "Name", headClassName: cell, className: cn(cell, "font-medium text-slate-900"), cell: (k) => k.name },
    { id: "key", header: "Key", headClassName: cell, className: cn(cell, "font-mono text-slate-600"), cell: (k) => `${k.prefix}…` },
    { id: "created", header: "Created", headClassName: cell, className: cn(cell, "text-slate-600"), cell: (k) => formatDateTime(k.createdAt) },
    { id: "used", header: "Last used", headClassName: cell, className: cn(cell, "text-slate-600"), cell: (k) => (k.lastUsedAt ? formatDateTime(k.lastUsedAt) : "Never") },
    {
      id: "actions",
      header: <span className="sr-only">Actions</span>,
      headClassName: "px-0 py-2",
      className: "px-0 py-2 text-right",
      cell: (k) =>
        k.revokedAt ? (
          <Badge tone="red">Revoked</Badge>
        ) : (
          <Button
            variant="secondary"
            size="sm"
            aria-label={`Revoke ${k.name}`}
            loading={revoke.isPending && revoke.variables?.id === k.id}
            onClick={async () => {
              const ok = await confirm({
                title: `Revoke “${k.name}”?`,
                description: "Anything using it will stop working at once.",
                confirmLabel: "Revoke key",
                destructive: true,
              });
              if (ok) revoke.mutate({ id: k.id });
            }}
          >
            Revoke
          </Button>
        ),
    },
  ];
  return (
    <Card id="api-keys">
      <CardHeader title="API keys" description="Publish signals from your own code with POST /api/v1/signals. Keys are shown once; we only keep a hash." />
      <CardBody className="space-y-5">
        {confirmDialog}
        {stepUpDialog}
        <form className="flex max-w-lg flex-col gap-3 sm:flex-row sm:items-start" onSubmit={form.handleSubmit((values) => create.mutate(values))} noValidate>
          <TextField className="flex-1" label="Key name" placeholder="e.g. Trading bot" {...form.register("name")} errors={messages(nameError)} />
          <Button type="submit" className="sm:mt-6" loading={create.isPending}>
            Create key
          </Button>
        </form>
        {create.isError && !serverFieldErrors(create.error).name ? <Alert tone="error">{create.error.message}</Alert> : null}
        {created ? (
          <Alert tone="success">
            <p className="font-medium">Your new key “{created.name}”. Copy it now: it will not be shown again.</p>
            <p className="mt-1">
              Send it as the bearer token, as in the{" "}
              <a href="#rest-api" className="font-medium underline">
                example request
              </a>
              .
            </p>
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
        <DataTable
          framed={false}
          caption="Your API keys"
          columns={columns}
          rows={keys.data}
          rowKey={(k) => k.id}
          rowProps={() => ({ "data-testid": "api-key-row" })}
          empty={<p className="text-sm text-slate-600">You have no API keys yet.</p>}
          className="min-w-[560px]"
          headerClassName="bg-transparent font-medium tracking-normal"
        />
        {revoke.isError ? <Alert tone="error">{revoke.error.message}</Alert> : null}
      </CardBody>
    </Card>
  );
}
