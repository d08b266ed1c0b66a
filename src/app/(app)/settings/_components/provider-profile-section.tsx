"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { Checkbox, TextArea, TextField } from "@/components/ui/field";
import { messages, setServerErrors } from "@/components/forms/errors";
import { MARKET_OPTIONS, providerProfileSchema } from "@/lib/validation/providers";

type ProfileValues = z.input<typeof providerProfileSchema>;

export function ProviderProfileSection({ profile }: { profile: { displayName: string; tagline: string; bio: string; markets: string[]; slug: string } }) {
  const trpc = useTRPC();
  const router = useRouter();
  const form = useForm<ProfileValues>({
    defaultValues: {
      displayName: profile.displayName,
      tagline: profile.tagline,
      bio: profile.bio,
      markets: MARKET_OPTIONS.filter((m) => profile.markets.includes(m)),
    },
    resolver: zodResolver(providerProfileSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });
  const update = useMutation(
    trpc.providers.updateMine.mutationOptions({
      onSuccess: () => router.refresh(),
      onError: (err) => setServerErrors(form.setError, serverFieldErrors(err), ["displayName", "tagline", "bio", "markets"]),
    }),
  );
  const { errors } = form.formState;
  // The fields are registered (uncontrolled); their default* attributes are for the server render, before hydration.
  // The boxes ticked, in the order of the list (a form's checkboxes submit in document order).
  const onSubmit = form.handleSubmit((values) => update.mutate({ ...values, markets: MARKET_OPTIONS.filter((m) => values.markets.includes(m)) }));
  return (
    <Card id="provider-profile">
      <CardHeader title="Provider profile" description={`Shown publicly at /providers/${profile.slug}.`} />
      <CardBody>
        <form onSubmit={onSubmit} className="max-w-2xl space-y-4" noValidate>
          {update.isError && !Object.keys(serverFieldErrors(update.error)).length ? <Alert tone="error">{update.error.message}</Alert> : null}
          <TextField label="Display name" defaultValue={profile.displayName} {...form.register("displayName")} errors={messages(errors.displayName)} />
          <TextField label="Tagline" defaultValue={profile.tagline} {...form.register("tagline")} errors={messages(errors.tagline)} hint="One line on what you trade and how." />
          <TextArea label="Bio" defaultValue={profile.bio} {...form.register("bio")} errors={messages(errors.bio)} />
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">Markets</legend>
            <div className="mt-2 flex flex-wrap gap-4">
              {MARKET_OPTIONS.map((m) => (
                <Checkbox key={m} value={m} defaultChecked={profile.markets.includes(m)} {...form.register("markets")} label={m[0]!.toUpperCase() + m.slice(1)} />
              ))}
            </div>
            {errors.markets ? (
              <p className="mt-1 text-sm text-red-700" role="alert">
                {errors.markets.message ?? errors.markets.root?.message}
              </p>
            ) : null}
          </fieldset>
          <div className="flex items-center gap-3">
            <Button type="submit" loading={update.isPending}>
              Save profile
            </Button>
            {update.isSuccess ? (
              <span className="text-sm text-emerald-700" role="status">
                Profile saved.
              </span>
            ) : null}
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
