import type { Metadata } from "next";
import { ButtonLink } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { ConfirmDigest } from "./client";

export const metadata: Metadata = { title: "Confirm the weekly digest", robots: { index: false } };

export default async function ConfirmDigestPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const token = typeof sp.token === "string" ? sp.token : "";
  return (
    <div className="mx-auto max-w-md px-4 py-12">
      <Card>
        <CardBody className="p-6 sm:p-8">
          <h1 className="text-2xl font-semibold tracking-tight">Confirm the weekly digest</h1>
          {token ? (
            <ConfirmDigest token={token} />
          ) : (
            <div className="mt-3 space-y-4 text-sm text-slate-600">
              <p>This link is incomplete. Open the link in the confirmation email, or ask for the digest again from a provider&rsquo;s page.</p>
              <ButtonLink href="/providers" variant="secondary">
                Browse the marketplace
              </ButtonLink>
            </div>
          )}
        </CardBody>
      </Card>
    </div>
  );
}
