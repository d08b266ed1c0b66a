"use client";

import { useMutation } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/field";
import { notificationPrefsSchema } from "@/lib/validation/account";

type Prefs = z.input<typeof notificationPrefsSchema>;

/** Each box saves as it is ticked: there is no submit button. (defaultChecked is for the server render, before hydration.) */
export function NotificationsSection({ prefs }: { prefs: Prefs }) {
  const trpc = useTRPC();
  const form = useForm<Prefs>({ defaultValues: prefs, resolver: zodResolver(notificationPrefsSchema, undefined, { raw: true }) });
  const save = useMutation(trpc.account.updateNotificationPrefs.mutationOptions());
  const saveOnChange = { onChange: () => void form.handleSubmit((values) => save.mutate(values))() };
  return (
    <Card>
      <CardHeader title="Email notifications" description="Security and billing emails are always sent." />
      <CardBody className="space-y-3">
        <Checkbox label="Signal alerts from providers I follow" defaultChecked={prefs.signalEmails} {...form.register("signalEmails", saveOnChange)} />
        <Checkbox label="Daily digest and monthly report" defaultChecked={prefs.digestEmails} {...form.register("digestEmails", saveOnChange)} />
        <Checkbox label="Product news and tips" defaultChecked={prefs.productEmails} {...form.register("productEmails", saveOnChange)} />
        <p className="text-sm text-slate-500" role="status" aria-live="polite">
          {save.isPending ? "Saving…" : save.isError ? save.error.message : save.isSuccess ? "Saved." : ""}
        </p>
      </CardBody>
    </Card>
  );
}
