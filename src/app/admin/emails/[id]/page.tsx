import { requireAdmin } from "@/server/auth/guards";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { cache } from "react";
import { TRPCError } from "@trpc/server";
import { formatDateTimeSeconds } from "@/lib/format/dates";
import { EMAIL_STATUS } from "@/lib/labels";
import { Alert, Badge, Card, CardBody, CardHeader, FactList } from "@/components/ui/card";
import { api } from "@/trpc/server";

export const dynamic = "force-dynamic";

type Params = Promise<{ id: string }>;

/** What an outbox id can look like (`eml_` and base32 from newId, older or hand-made ids aside); anything else is no email. */
const EMAIL_ID = /^[A-Za-z0-9_-]{1,64}$/;

const getEmail = cache(async (id: string) => {
  // A malformed id (a NUL byte, say, which PostgreSQL refuses in text) is an unknown email, not a server error.
  if (!EMAIL_ID.test(id)) return null;
  const caller = await api();
  try {
    return await caller.admin.email({ id });
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) return null;
    throw err;
  }
});

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const email = await getEmail((await params).id);
  return { title: email ? email.subject || "Email" : "Email not found" };
}

function BackLink() {
  return (
    <Link href="/admin/emails" className="inline-flex items-center gap-1 text-sm font-medium text-slate-600 hover:text-slate-900">
      <span aria-hidden="true">←</span> Email outbox
    </Link>
  );
}

/** Says who a one-time link (verification, reset) in this email is for; the service decides what is shown. */
function OneTimeLinksNote({ developmentMailbox, senderConfigured, oneTimeLinks }: { developmentMailbox: boolean; senderConfigured: boolean; oneTimeLinks: "shown" | "removed" | "none" }) {
  if (developmentMailbox) {
    const links = {
      shown: " Its one-time link works here, for whoever reads this page.",
      removed: " Its one-time link is no longer available: ask for a new email.",
      none: "",
    }[oneTimeLinks];
    return (
      <Alert tone="warning" className="mt-4">
        <strong>Development-only mailbox:</strong> no email sender is configured, so no email leaves this server and
        this outbox is where they arrive.{links}
      </Alert>
    );
  }
  if (!senderConfigured) {
    return (
      <Alert tone="warning" className="mt-4">
        <strong>No email sender is configured:</strong> this email has not been sent. Outside development, one-time
        links (email confirmation, password reset) are never shown here; they reach people once a sender is set up.
      </Alert>
    );
  }
  if (oneTimeLinks === "removed") {
    return (
      <Alert className="mt-4">
        One-time links (email confirmation, password reset) are removed from this copy: only the recipient&apos;s email
        has them.
      </Alert>
    );
  }
  return null;
}

export default async function AdminEmailPage({ params }: { params: Params }) {
  // Layouts and pages render in parallel: the page checks too, so its data call never runs for non-admins.
  await requireAdmin();
  const email = await getEmail((await params).id);

  // A 404, shown by not-found.tsx beside this page, inside the admin layout (its navigation stays on screen).
  if (!email) notFound();

  const headers: [string, ReactNode][] = [
    ["To", <span key="to" className="break-all">{email.to}</span>],
    ["Subject", email.subject || "(no subject)"],
    ["Kind", <code key="kind" className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">{email.kind}</code>],
    ["Status", <Badge key="status" tone={EMAIL_STATUS[email.status].tone}>{EMAIL_STATUS[email.status].label}</Badge>],
    ["Created", <time key="created" dateTime={email.createdAt.toISOString()}>{formatDateTimeSeconds(email.createdAt)} UTC</time>],
    [
      "Sent",
      email.sentAt ? (
        <time key="sent" dateTime={email.sentAt.toISOString()}>{formatDateTimeSeconds(email.sentAt)} UTC</time>
      ) : (
        <span key="sent" className="text-slate-500">Not sent yet</span>
      ),
    ],
    ["Stream", { transactional: "Transactional", notification: "Notification", marketing: "Marketing" }[email.stream]],
    ["Attempts", String(email.attempts)],
    ...(email.status === "queued" && email.nextAttemptAt
      ? ([["Next attempt", <time key="next" dateTime={email.nextAttemptAt.toISOString()}>{formatDateTimeSeconds(email.nextAttemptAt)} UTC</time>]] as [string, ReactNode][])
      : []),
    ...(email.lastError ? ([["Last error", <span key="err" className="break-words text-red-700">{email.lastError}</span>]] as [string, ReactNode][]) : []),
    ["Provider id", email.providerMessageId ? <code key="pid" className="font-mono text-xs break-all">{email.providerMessageId}</code> : <span key="pid" className="text-slate-500">—</span>],
    [
      "Delivery",
      email.deliveryStatus ? (
        <span key="delivery">
          {email.deliveryStatus.replace(/_/g, " ")}
          {email.deliveryUpdatedAt ? <span className="text-slate-500"> · {formatDateTimeSeconds(email.deliveryUpdatedAt)} UTC</span> : null}
        </span>
      ) : (
        <span key="delivery" className="text-slate-500">No event yet</span>
      ),
    ],
    ["Id", <code key="id" className="font-mono text-xs break-all">{email.id}</code>],
  ];

  return (
    <>
      <BackLink />
      <h1 className="mt-4 text-2xl font-semibold tracking-tight break-words text-slate-900">{email.subject || "(no subject)"}</h1>
      <OneTimeLinksNote developmentMailbox={email.developmentMailbox} senderConfigured={email.senderConfigured} oneTimeLinks={email.oneTimeLinks} />

      <div className="mt-6 grid items-start gap-6 lg:grid-cols-[20rem_1fr]">
        <Card>
          <CardHeader title="Headers" />
          <CardBody>
            <FactList facts={headers} />
          </CardBody>
        </Card>

        <div className="min-w-0 space-y-6">
          <Card>
            <CardHeader title="HTML version" description="Rendered in a sandboxed frame with scripts and forms disabled. Copy links from the plain-text version." />
            <div className="bg-slate-100 p-2 sm:p-4">
              {/* sandbox="" gives the frame a unique origin and no scripts, so email HTML can never touch this page. */}
              <iframe
                title={`HTML version of “${email.subject}”`}
                sandbox=""
                srcDoc={email.html}
                className="h-[36rem] w-full rounded border border-slate-200 bg-white"
              />
            </div>
          </Card>
          <Card>
            <CardHeader title="Plain-text version" />
            <CardBody>
              <pre className="max-h-[28rem] overflow-auto font-mono text-xs leading-5 whitespace-pre-wrap text-slate-800">{email.text || "(empty)"}</pre>
            </CardBody>
          </Card>
        </div>
      </div>
    </>
  );
}
