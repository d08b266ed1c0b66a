"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTRPC } from "@/trpc/react";
import { Alert } from "@/components/ui/card";
import { ButtonLink, Spinner } from "@/components/ui/button";

/** Confirms on a click-through rather than on load would be safer against link scanners; we confirm on load
 * because the token is single-use and only proves control of the inbox, which a scanner fetching it also has. */
export function VerifyEmail({ token, signedIn }: { token: string; signedIn: boolean }) {
  const trpc = useTRPC();
  const verify = useMutation(trpc.auth.verifyEmail.mutationOptions());
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    verify.mutate({ token });
  }, [token, verify]);

  if (verify.isPending || verify.isIdle) {
    return (
      <p className="mt-4 flex items-center gap-2 text-sm text-slate-600" role="status">
        <Spinner /> Confirming your email…
      </p>
    );
  }
  if (verify.isError) {
    return (
      <div className="mt-4 space-y-4">
        <Alert tone="error">{verify.error.message}</Alert>
        <ButtonLink href={signedIn ? "/settings" : "/signin"} variant="secondary">
          {signedIn ? "Send a new link from settings" : "Sign in to request a new link"}
        </ButtonLink>
      </div>
    );
  }
  return (
    <div className="mt-4 space-y-4">
      <Alert tone="success">Your email is confirmed. Thank you.</Alert>
      <ButtonLink href={signedIn ? "/dashboard" : "/signin"}>{signedIn ? "Go to your dashboard" : "Sign in"}</ButtonLink>
    </div>
  );
}
