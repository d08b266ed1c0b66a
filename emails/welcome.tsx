import { EmailButton, EmailHeading, EmailText, Greeting, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";
import { StepList, type OnboardingStepLine } from "./_onboarding";

export interface WelcomeProps {
  name: string;
  path: "trader" | "provider";
  /**
   * The one-time email verification link (queued through `oneTimeLink`), for a password sign-up; null when the
   * address needs no confirming (an OAuth account) or was already confirmed.
   */
  verifyUrl: string | null;
  /** The first steps of the user's checklist still to do (at most three). */
  firstSteps: OnboardingStepLine[];
  dashboardUrl: string;
}

/**
 * Transactional: for a password sign-up this email carries the account's verification link (it replaces the separate
 * verification email at sign-up), and a verification link must arrive whatever the marketing choices. It is the
 * account's "you signed up" notice; the advice that follows (days 1, 3, 7) is marketing with an unsubscribe link.
 */
export const stream = "transactional";

export default function Welcome({ name, path, verifyUrl, firstSteps, dashboardUrl }: WelcomeProps) {
  const trader = path === "trader";
  return (
    <EmailLayout preview={trader ? "Welcome to Tradsy: follow verified traders and copy their signals" : "Welcome to Tradsy: publish signals with a verified track record"}>
      <EmailHeading>Welcome to Tradsy</EmailHeading>
      <Greeting name={name} />
      <EmailText>
        {trader
          ? "Tradsy lists signal providers whose track records are computed from hash-chained signals and recorded prices, never typed in. You can follow them, and copy their signals on paper or on your own exchange account under your own risk limits."
          : "Your provider account is ready. Every signal you publish is hash-chained and priced by Tradsy, so your track record is one traders can trust, and they can subscribe to you from the marketplace."}
      </EmailText>
      {verifyUrl ? (
        <>
          <EmailText>First, confirm your email address. The link is valid for 24 hours and can be used once.</EmailText>
          <EmailButton href={verifyUrl}>Confirm email</EmailButton>
        </>
      ) : null}
      {firstSteps.length ? (
        <>
          <EmailText>{trader ? "Where to start:" : "Get ready to publish:"}</EmailText>
          <StepList steps={firstSteps} />
        </>
      ) : null}
      {verifyUrl ? null : <EmailButton href={dashboardUrl}>Open your dashboard</EmailButton>}
      <MutedNote>If you did not sign up for Tradsy, ignore this email: no account is confirmed without the link.</MutedNote>
    </EmailLayout>
  );
}

Welcome.PreviewProps = {
  name: "Ada",
  path: "trader",
  verifyUrl: "https://tradsy.example/verify?token=preview-verify-token",
  firstSteps: [
    { title: "Browse the marketplace", advice: "Compare providers by their verified track records.", url: "https://tradsy.example/providers" },
    { title: "Subscribe to a provider", advice: "Check the record behind the numbers, then subscribe.", url: "https://tradsy.example/providers" },
    { title: "Turn on copying", advice: "Copy into your paper account first.", url: "https://tradsy.example/copy" },
  ],
  dashboardUrl: "https://tradsy.example/dashboard",
} satisfies WelcomeProps;
