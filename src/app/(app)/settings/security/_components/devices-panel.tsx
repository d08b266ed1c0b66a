"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert, Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { useConfirm } from "@/components/ui/alert-dialog";
import { RelativeTime } from "@/components/signals/relative-time";
import { formatDateTime } from "@/lib/format/dates";
import { useTRPC } from "@/trpc/react";

export interface DeviceView {
  id: string;
  current: boolean;
  browser: string;
  os: string;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  twoFactor: boolean;
}

/** "Chrome 131 on macOS"; an agent we could not read says so rather than guessing. */
export function deviceName(d: Pick<DeviceView, "browser" | "os">): string {
  if (d.os === "Unknown OS") return d.browser;
  return `${d.browser} on ${d.os}`;
}

/**
 * Where the account is signed in, this browser first, and signing out one device or all of them. Signing this
 * browser out (alone or with the rest) goes to the sign-in page: the session ends on its next request, and that
 * navigation makes that request now.
 */
export function DevicesPanel({ sessions }: { sessions: DeviceView[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { confirm, confirmDialog } = useConfirm();
  const [notice, setNotice] = useState<string | null>(null);
  const revoke = useMutation(trpc.sessions.revoke.mutationOptions());
  const revokeAll = useMutation(trpc.sessions.revokeAll.mutationOptions());
  const error = revoke.error ?? revokeAll.error;
  // The session ended on the server; the sign-in page's request is the first one it refuses. Refresh drops the
  // client's cached signed-in pages.
  const toSignIn = () => {
    router.replace("/signin");
    router.refresh();
  };
  const ordered = [...sessions].sort((a, b) => Number(b.current) - Number(a.current));

  const signOut = async (d: DeviceView) => {
    const name = deviceName(d);
    if (
      d.current &&
      !(await confirm({
        title: "Sign out of this browser?",
        description: "You will need your password (and code) to sign in here again.",
        confirmLabel: "Sign out",
        destructive: true,
      }))
    ) {
      return;
    }
    revokeAll.reset();
    // A refusal shows as `error`.
    revoke.mutate(
      { id: d.id },
      {
        onSuccess: ({ signedOutCurrent }) => {
          if (signedOutCurrent) return toSignIn();
          setNotice(`${name} was signed out.`);
          router.refresh();
        },
      },
    );
  };

  const signOutAll = async () => {
    const ok = await confirm({
      title: "Sign out of all devices?",
      description: "Every browser and app signed in to your account is signed out, this one included. You will go to the sign-in page.",
      confirmLabel: "Sign out of all devices",
      destructive: true,
    });
    if (!ok) return;
    revoke.reset();
    revokeAll.mutate(undefined, { onSuccess: toSignIn });
  };

  return (
    <Card id="devices">
      <CardHeader
        title="Signed-in devices"
        description="Browsers signed in to your account. Sign out any you do not recognise, then change your password."
        action={
          sessions.length > 0 ? (
            <Button variant="secondary" size="sm" loading={revokeAll.isPending} onClick={signOutAll}>
              Sign out of all devices
            </Button>
          ) : null
        }
      />
      <CardBody className="space-y-4">
        <div aria-live="polite">
          {notice && !error ? <Alert tone="success">{notice}</Alert> : null}
          {error ? <Alert tone="error">{error.message}</Alert> : null}
        </div>
        {ordered.length === 0 ? (
          <p className="text-sm text-slate-600">No signed-in devices to show.</p>
        ) : (
          <ul className="divide-y divide-slate-200 rounded-md border border-slate-200" aria-label="Signed-in devices">
            {ordered.map((d) => (
              <li key={d.id} className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center sm:justify-between" data-testid="device">
                <div className="min-w-0 space-y-1">
                  <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900">
                    <span>{deviceName(d)}</span>
                    {d.current ? <Badge tone="brand">This device</Badge> : null}
                    {d.twoFactor ? <Badge tone="green">Two-factor</Badge> : null}
                  </p>
                  <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-sm text-slate-600">
                    <dt>Address</dt>
                    <dd className="font-mono break-all">{d.ip ?? "Unknown"}</dd>
                    <dt>Signed in</dt>
                    <dd>
                      <time dateTime={d.createdAt.toISOString()}>{formatDateTime(d.createdAt)}</time>
                    </dd>
                    <dt>Last seen</dt>
                    <dd>{d.current ? "Now" : <RelativeTime date={d.lastSeenAt} />}</dd>
                  </dl>
                </div>
                <Button
                  variant="secondary"
                  size="sm"
                  className="self-start sm:self-center"
                  aria-label={d.current ? `Sign out of this device (${deviceName(d)})` : `Sign out ${deviceName(d)}`}
                  loading={revoke.isPending && revoke.variables?.id === d.id}
                  onClick={() => void signOut(d)}
                >
                  Sign out
                </Button>
              </li>
            ))}
          </ul>
        )}
      </CardBody>
      {confirmDialog}
    </Card>
  );
}
