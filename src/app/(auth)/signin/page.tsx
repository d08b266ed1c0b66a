import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { auth, oauthProviders } from "@/server/auth";
import { Card, CardBody } from "@/components/ui/card";
import { signedInDestination } from "@/lib/home";
import { SignInForm } from "./client";
import { OAuthButtons } from "../oauth-buttons";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  // The page that sent the person here, if any; the form's action checks it is on this site (afterSignInPath).
  const callbackUrl = typeof sp.callbackUrl === "string" ? sp.callbackUrl : "";
  // Signed in (also just now, by this page's form with no callbackUrl): on to the page asked for, else home by role.
  const session = await auth();
  if (session) redirect(signedInDestination(callbackUrl, session.user.role));
  const oauthError = typeof sp.error === "string" ? sp.error : undefined;
  return (
    <Card>
      <CardBody className="p-6 sm:p-8">
        <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
        <p className="mt-1 text-sm text-slate-600">
          New to Tradsy?{" "}
          <Link href="/signup" className="font-medium text-brand-700 hover:underline">
            Create an account
          </Link>
        </p>
        <OAuthButtons providers={oauthProviders} callbackUrl={callbackUrl} />
        <SignInForm callbackUrl={callbackUrl} oauthError={oauthError} />
      </CardBody>
    </Card>
  );
}
