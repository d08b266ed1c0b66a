"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { messages, setServerErrors } from "@/components/forms/errors";
import { profileSchema } from "@/lib/validation/account";

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

export function ProfileSection({ name }: { name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const form = useForm<z.input<typeof profileSchema>>({
    defaultValues: { name },
    resolver: zodResolver(profileSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });
  const update = useMutation(
    trpc.account.updateProfile.mutationOptions({
      onSuccess: () => router.refresh(),
      onError: (err) => setServerErrors(form.setError, serverFieldErrors(err), ["name"]),
    }),
  );
  return (
    <Card>
      <CardHeader title="Profile" description="How your name appears across Tradsy." />
      <CardBody>
        <form className="flex max-w-lg flex-col gap-4 sm:flex-row sm:items-start" onSubmit={form.handleSubmit((values) => update.mutate(values))} noValidate>
          <TextField className="flex-1" label="Your name" autoComplete="name" defaultValue={name} {...form.register("name")} errors={messages(form.formState.errors.name)} />
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
