import type { Metadata } from "next";
import { Card, CardBody } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { auth } from "@/server/auth";
import { VerifyEmail } from "./client";

export const metadata: Metadata = { title: "Confirm your email" };

export default async function VerifyPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const token = typeof sp.token === "string" ? sp.token : "";
  const session = await auth();
  return (
    <Card>
      <CardBody className="p-6 sm:p-8">
        <h1 className="text-2xl font-semibold tracking-tight">Confirm your email</h1>
        {token ? (
          <VerifyEmail token={token} signedIn={Boolean(session)} />
        ) : (
          <div className="mt-3 space-y-4 text-sm text-slate-600">
            <p>We sent a confirmation link to your email address. Open it to confirm the address; the link is valid for 24 hours.</p>
            <ButtonLink href={session ? "/settings" : "/signin"} variant="secondary">
              {session ? "Resend from settings" : "Sign in"}
            </ButtonLink>
          </div>
        )}
      </CardBody>
    </Card>
  );
}
