"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { Consents } from "../consents";
import { RolePicker } from "../role-picker";

export function WelcomeForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const complete = useMutation(
    trpc.auth.completeOnboarding.mutationOptions({
      onSuccess: () => {
        router.push("/dashboard");
        router.refresh();
      },
    }),
  );
  const errs = serverFieldErrors(complete.error);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    complete.mutate({
      role: form.get("role") as "subscriber" | "provider",
      acceptDisclaimer: (form.get("acceptDisclaimer") === "on") as true,
      acceptTerms: (form.get("acceptTerms") === "on") as true,
    });
  };
  return (
    <form onSubmit={onSubmit} className="mt-6 space-y-4" noValidate>
      {complete.isError ? <Alert tone="error">{complete.error.message}</Alert> : null}
      <RolePicker defaultValue="subscriber" errors={errs.role} />
      <Consents errors={errs} disclaimer="I have read and accept the risk disclaimer." />
      <Button type="submit" className="w-full" loading={complete.isPending}>
        Continue
      </Button>
    </form>
  );
}
