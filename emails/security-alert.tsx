import { Callout, EmailButton, EmailHeading, EmailText, Greeting, KeyValueTable, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";

/** What happened to the account (each reason's words are in WORDS below). */
export type SecurityAlertReason = "password_changed" | "password_reset" | "email_changed" | "api_key_created" | "new_device_sign_in"
  // Two-factor sign-in (issue 17).
  | "two_factor_enabled"
  | "two_factor_disabled"
  | "recovery_codes_regenerated"
  | "recovery_code_used"
  | "two_factor_reset"
  // Your data (issue 17): the last email to the address of an account its owner deleted.
  | "account_deleted";

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
  two_factor_enabled: {
    title: "Two-factor sign-in was turned on",
    text: "Signing in to your Tradsy account now asks for a code from an authenticator app after the password. Keep your recovery codes somewhere safe.",
    detailLabel: "Detail",
    action: "Review your security settings",
    notYou: "If it was not you, someone else holds your password: reset it now, then contact Tradsy support to recover the account.",
  },
  two_factor_disabled: {
    title: "Two-factor sign-in was turned off",
    text: "Signing in to your Tradsy account no longer asks for a code from an authenticator app. Its recovery codes no longer work.",
    detailLabel: "Detail",
    action: "Review your security settings",
    notYou: "If it was not you, reset your password now and turn two-factor sign-in back on.",
  },
  recovery_codes_regenerated: {
    title: "New recovery codes were made",
    text: "New recovery codes were made for your Tradsy account's two-factor sign-in. The earlier ones no longer work.",
    detailLabel: "Detail",
    action: "Review your security settings",
    notYou: "If it was not you, reset your password now and make new recovery codes.",
  },
  recovery_code_used: {
    title: "A recovery code was used",
    text: "One of your Tradsy account's recovery codes was used in place of an authenticator code. It cannot be used again.",
    detailLabel: "Codes left",
    action: "Review your security settings",
    notYou: "If it was not you, someone holds your password and your recovery codes: reset your password and make new codes now.",
  },
  two_factor_reset: {
    title: "Two-factor sign-in was reset",
    text: "Two-factor sign-in was turned off for your Tradsy account by Tradsy staff, to recover access after a lost device. Turn it on again from your security settings.",
    detailLabel: "Reset by",
    action: "Turn two-factor sign-in on again",
    notYou: "If you did not ask for this, reset your password now and contact Tradsy support.",
  },
  account_deleted: {
    title: "Your account was deleted",
    text: "Your Tradsy account was deleted from its security settings: subscriptions were cancelled, copies closed, and your personal data erased. Payments records are kept as the law requires; a provider's published track record stays, under \"Deleted provider\". This is the last email this address gets from Tradsy.",
    detailLabel: "Detail",
    action: "Visit Tradsy",
    notYou: "If it was not you, contact Tradsy support at once: someone held your password (and your authenticator).",
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
