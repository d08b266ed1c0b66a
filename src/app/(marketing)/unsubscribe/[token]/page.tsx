import type { Metadata } from "next";
import { TRPCError } from "@trpc/server";
import { api } from "@/trpc/server";
import { Alert, Card, CardBody } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { AccountPreferences, WeeklyDigestChoice } from "./client";
import { topicPhrase } from "./topic";

/** The link holds a credential: never indexed, and never sent on as a referrer by a link clicked here. */
export const metadata: Metadata = { title: "Email preferences", robots: { index: false, follow: false }, referrer: "no-referrer" };

/**
 * Where an email's unsubscribe link leads (GET /api/unsubscribe/<token> redirects here). Works without signing in:
 * the signed token names the recipient. A forged or revoked link says so; `?done=1` is the page's own form posted
 * before JavaScript loaded (the route unsubscribed, then came back here).
 */
export default async function UnsubscribePage({ params, searchParams }: { params: Promise<{ token: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ token }, sp] = await Promise.all([params, searchParams]);
  const caller = await api();
  let view: Awaited<ReturnType<typeof caller.unsubscribe.view>> | null = null;
  let refusal: string | null = null;
  try {
    view = await caller.unsubscribe.view({ token });
  } catch (err) {
    if (!(err instanceof TRPCError) || err.code !== "BAD_REQUEST") throw err;
    refusal = err.message;
  }

  return (
    <div className="mx-auto w-full max-w-2xl px-4 py-10 sm:py-14">
      <Card>
        <CardBody className="space-y-6 p-6 sm:p-8">
          {refusal !== null || !view ? (
            <>
              <h1 className="text-2xl font-semibold tracking-tight">This link does not work</h1>
              <Alert tone="error">{refusal}</Alert>
              <p className="text-sm text-slate-600">You can still change every email choice in your account settings.</p>
              <ButtonLink href="/signin?callbackUrl=%2Fsettings" variant="secondary">
                Sign in to change email settings
              </ButtonLink>
            </>
          ) : view.recipient === "gone" ? (
            <>
              <h1 className="text-2xl font-semibold tracking-tight">Nothing more to unsubscribe</h1>
              <Alert tone="info">Nothing is sent to this address any more: the account or subscription this email was for no longer exists.</Alert>
            </>
          ) : (
            <>
              <header className="space-y-1">
                <h1 className="text-2xl font-semibold tracking-tight">Email preferences</h1>
                <p className="text-sm text-slate-600">
                  For <span className="font-medium text-slate-900">{view.emailMasked}</span>. The email you came from was about {topicPhrase(view.topic)}.
                </p>
              </header>
              {view.recipient === "user" ? (
                <AccountPreferences token={token} topic={view.topic} preferences={view.preferences} done={sp.done === "1"} />
              ) : (
                <WeeklyDigestChoice token={token} weekly={view.weekly} done={sp.done === "1"} />
              )}
            </>
          )}
        </CardBody>
      </Card>
    </div>
  );
}
