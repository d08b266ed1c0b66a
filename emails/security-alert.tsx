import { Callout, EmailButton, EmailHeading, EmailText, Greeting, KeyValueTable, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";

/**
 * What happened to the account. `new_device_sign_in` is for the security issue's device detection (not built yet):
 * the template already words it.
 */
export type SecurityAlertReason = "password_changed" | "password_reset" | "email_changed" | "api_key_created" | "new_device_sign_in";

export interface SecurityAlertProps {
  name: string;
  reason: SecurityAlertReason;
  /** "Dec 6, 2026, 16:40 UTC" */
  when: string;
  /** The client address the change came from, when known. */
  ip?: string;
  /** What it concerns, when there is more to say: the API key's name and prefix, the device, the new address. */
  detail?: string;
  /** Where to act if it was not the reader: reset the password, or the settings page. */
  actionUrl: string;
}

/** Security alerts go to the account owner whatever their email choices. */
export const stream = "transactional";

const WORDS: Record<SecurityAlertReason, { title: string; text: string; detailLabel: string; action: string; notYou: string }> = {
  password_changed: {
    title: "Your password was changed",
    text: "The password of your Tradsy account was changed from the settings page. Every other session was signed out.",
    detailLabel: "Detail",
    action: "Reset your password",
    notYou: "If it was not you, reset your password now: the reset link goes to this address only.",
  },
  password_reset: {
    title: "Your password was reset",
    text: "The password of your Tradsy account was reset through a link emailed to this address. Every session was signed out.",
    detailLabel: "Detail",
    action: "Reset your password",
    notYou: "If it was not you, reset your password again now and check who can read this mailbox.",
  },
  email_changed: {
    title: "Your email address was changed",
    text: "The email address of your Tradsy account was changed. Emails about the account now go to the new address.",
    detailLabel: "New address",
    action: "Review your account",
    notYou: "If it was not you, reset your password from the sign-in page at once and contact Tradsy support.",
  },
  api_key_created: {
    title: "A new API key was created",
    text: "A new API key was created for your provider profile. It can publish and manage signals in your name.",
    detailLabel: "Key",
    action: "Review your API keys",
    notYou: "If it was not you, revoke the key on the settings page and change your password.",
  },
  new_device_sign_in: {
    title: "New sign-in to your account",
    text: "Your Tradsy account was signed in to from a device or browser it had not seen before.",
    detailLabel: "Device",
    action: "Reset your password",
    notYou: "If it was not you, reset your password now: that signs every session out.",
  },
};

export function securityAlertSubject(reason: SecurityAlertReason): string {
  return `Security alert: ${WORDS[reason].title.charAt(0).toLowerCase()}${WORDS[reason].title.slice(1)}`;
}

export default function SecurityAlert({ name, reason, when, ip, detail, actionUrl }: SecurityAlertProps) {
  const w = WORDS[reason];
  return (
    <EmailLayout preview={w.title}>
      <EmailHeading>{w.title}</EmailHeading>
      <Greeting name={name} />
      <EmailText>{w.text}</EmailText>
      <KeyValueTable
        rows={[
          { label: "When", value: when },
          ...(ip ? [{ label: "From address", value: ip }] : []),
          ...(detail ? [{ label: w.detailLabel, value: detail }] : []),
        ]}
      />
      <Callout>{w.notYou}</Callout>
      <EmailButton href={actionUrl}>{w.action}</EmailButton>
      <MutedNote>If it was you, there is nothing to do.</MutedNote>
    </EmailLayout>
  );
}

SecurityAlert.PreviewProps = {
  name: "Ada",
  reason: "api_key_created",
  when: "Dec 6, 2026, 16:40 UTC",
  ip: "203.0.113.24",
  detail: "TradingView bridge (tsk_7hq2m4xk)",
  actionUrl: "https://tradsy.example/settings",
} satisfies SecurityAlertProps;
