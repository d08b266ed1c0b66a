import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { auth } from "@/server/auth";
import { Card, CardBody } from "@/components/ui/card";
import { homePathFor } from "@/lib/home";
import { WelcomeForm } from "./client";

export const metadata: Metadata = { title: "Welcome" };

/** Where OAuth sign-ups land: they choose a role and accept the disclaimer before entering the app. */
export default async function WelcomePage() {
  const session = await auth();
  if (!session) redirect("/signin");
  if (session.user.onboarded) redirect(homePathFor(session.user.role));
  return (
    <Card>
      <CardBody className="p-6 sm:p-8">
        <h1 className="text-2xl font-semibold tracking-tight">Welcome to Tradsy</h1>
        <p className="mt-1 text-sm text-slate-600">One more step before you start.</p>
        <WelcomeForm />
      </CardBody>
    </Card>
  );
}
