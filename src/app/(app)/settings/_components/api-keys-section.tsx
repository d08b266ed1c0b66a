"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert, Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { messages, setServerErrors } from "@/components/forms/errors";
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
        form.reset({ name: "" });
        void invalidate();
      },
      onError: (err) => setServerErrors(form.setError, serverFieldErrors(err), ["name"]),
    }),
  );
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: () => void invalidate() }));
  const nameError = form.formState.errors.name;
  return (
    <Card id="api-keys">
      <CardHeader title="API keys" description="Publish signals from your own code with POST /api/v1/signals. Keys are shown once; we only keep a hash." />
      <CardBody className="space-y-5">
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
                    <td className="py-2 pr-4 text-slate-600">{formatDateTime(k.createdAt)}</td>
                    <td className="py-2 pr-4 text-slate-600">{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : "Never"}</td>
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
