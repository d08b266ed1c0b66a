import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { auth, oauthProviders } from "@/server/auth";
import { Card, CardBody } from "@/components/ui/card";
import { signedInDestination } from "@/lib/home";
import { SignUpForm } from "./client";
import { OAuthButtons } from "../oauth-buttons";

export const metadata: Metadata = { title: "Create your account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [session, sp] = await Promise.all([auth(), searchParams]);
  if (session) redirect(signedInDestination(sp.callbackUrl, session.user.role));
  const role = sp.role === "provider" ? "provider" : "subscriber";
  // Where to go after sign-up (e.g. back to the provider profile a visitor wanted to subscribe to); same-site only.
  const callbackUrl = typeof sp.callbackUrl === "string" && sp.callbackUrl.startsWith("/") && !sp.callbackUrl.startsWith("//") ? sp.callbackUrl : undefined;
  return (
    <Card>
      <CardBody className="p-6 sm:p-8">
        <h1 className="text-2xl font-semibold tracking-tight">Create your account</h1>
        <p className="mt-1 text-sm text-slate-600">
          Already have one?{" "}
          <Link href={callbackUrl ? `/signin?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/signin"} className="font-medium text-brand-700 hover:underline">
            Sign in
          </Link>
        </p>
        <OAuthButtons providers={oauthProviders} callbackUrl="/welcome" />
        <SignUpForm defaultRole={role} callbackUrl={callbackUrl} />
      </CardBody>
    </Card>
  );
}
