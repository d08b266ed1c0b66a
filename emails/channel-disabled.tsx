import { Callout, EmailButton, EmailHeading, EmailText, Greeting, KeyValueTable, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";

export interface ChannelDisabledProps {
  name: string;
  /** "Discord webhook", "Telegram chat" or "Webhook endpoint". */
  kind: string;
  /** The owner's name for it ("Trading desk"). */
  label: string;
  /** What pages show of it: the URL hint (token cut) or the chat's name. */
  where: string;
  /** Why, for people: "Every delivery failed for 24 hours" or the destination's own answer (Unknown Webhook). */
  reason: string;
  /** The last error, when there was one ("The endpoint answered 503"). */
  lastError?: string;
  /** "Dec 6, 2026, 16:40 UTC" */
  when: string;
  /** The destination's delivery log (/settings/channels/<id>): every attempt and the answers it got. */
  logUrl: string;
}

/**
 * Transactional: it is about the account's own set-up, sent once per disabling, and without it the owner would not
 * learn that their alerts stopped reaching that destination (their email choices cover alerts, not this).
 */
export const stream = "transactional";

export function channelDisabledSubject({ kind, label }: Pick<ChannelDisabledProps, "kind" | "label">): string {
  return `${kind} "${label}" was turned off`;
}

export default function ChannelDisabled({ name, kind, label, where, reason, lastError, when, logUrl }: ChannelDisabledProps) {
  return (
    <EmailLayout preview={`${kind} "${label}" no longer receives your alerts`}>
      <EmailHeading>
        {kind} &quot;{label}&quot; was turned off
      </EmailHeading>
      <Greeting name={name} />
      <Callout>{reason}</Callout>
      <KeyValueTable
        rows={[
          { label: "Destination", value: `${label} (${where})` },
          { label: "Turned off", value: when },
          ...(lastError ? [{ label: "Last error", value: lastError }] : []),
        ]}
      />
      <EmailText>
        Nothing more is sent there, and the deliveries that were waiting were cancelled. Its delivery log shows every
        attempt and the answers it got. Once it works again, add it again from your notification settings.
      </EmailText>
      <EmailButton href={logUrl}>Open its delivery log</EmailButton>
      <MutedNote>Your email alerts are not affected.</MutedNote>
    </EmailLayout>
  );
}

ChannelDisabled.PreviewProps = {
  name: "Ada",
  kind: "Webhook endpoint",
  label: "My trading bot",
  where: "https://bot.example.com/hooks/…",
  reason: "Every delivery to it failed for 24 hours.",
  lastError: "The endpoint answered 503",
  when: "Dec 6, 2026, 16:40 UTC",
  logUrl: "https://tradsy.example/settings/channels/chn_7hx2kq9tz4wm3p",
} satisfies ChannelDisabledProps;
