"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useController, useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { messages, setServerErrors } from "@/components/forms/errors";
import { completeOnboardingSchema } from "@/lib/validation/auth";
import { Consents } from "../consents";
import { RolePicker } from "../role-picker";

type Values = z.input<typeof completeOnboardingSchema>;

/**
 * The role and the two consents. A refusal is said at the top as well as under its field: the server's message, or
 * the first of the form's own (the one the server would have led with).
 */
export function WelcomeForm() {
  const trpc = useTRPC();
  const router = useRouter();
  // The boxes start unticked (false), which the schema refuses with its own message.
  const form = useForm<Values>({
    defaultValues: { role: "subscriber" },
    resolver: zodResolver(completeOnboardingSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });
  const { field: role } = useController({ control: form.control, name: "role" });
  const complete = useMutation(
    trpc.auth.completeOnboarding.mutationOptions({
      onSuccess: () => {
        router.push("/dashboard");
        router.refresh();
      },
      onError: (err) => {
        setServerErrors(form.setError, serverFieldErrors(err), ["role", "acceptDisclaimer", "acceptTerms"]);
        form.setError("root.server", { type: "server", message: err.message });
      },
    }),
  );
  const { errors } = form.formState;
  const formError = errors.root?.server?.message ?? errors.role?.message ?? errors.acceptDisclaimer?.message ?? errors.acceptTerms?.message;
  return (
    <form onSubmit={form.handleSubmit((values) => complete.mutate(values))} className="mt-6 space-y-4" noValidate>
      {formError ? <Alert tone="error">{formError}</Alert> : null}
      <RolePicker value={role.value} onValueChange={role.onChange} errors={messages(errors.role)} />
      <Consents
        errors={{ acceptDisclaimer: messages(errors.acceptDisclaimer), acceptTerms: messages(errors.acceptTerms) }}
        inputs={{ acceptDisclaimer: form.register("acceptDisclaimer"), acceptTerms: form.register("acceptTerms") }}
        disclaimer="I have read and accept the risk disclaimer."
      />
      <Button type="submit" className="w-full" loading={complete.isPending}>
        Continue
      </Button>
    </form>
  );
}
