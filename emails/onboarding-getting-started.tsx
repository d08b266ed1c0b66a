import { EmailButton, EmailHeading, EmailText, Greeting } from "./_components";
import { EmailLayout } from "./_layout";
import { StepList, type OnboardingStepLine } from "./_onboarding";

export interface OnboardingGettingStartedProps {
  name: string;
  path: "trader" | "provider";
  /** Steps of the checklist still to do, read when the email is queued (done ones are not advised on). */
  toDo: OnboardingStepLine[];
  /** Checklist progress, whole per cent ("40%"). */
  progress: string;
  dashboardUrl: string;
  unsubscribeUrl: string;
}

export const stream = "marketing";

export default function OnboardingGettingStarted({ name, path, toDo, progress, dashboardUrl, unsubscribeUrl }: OnboardingGettingStartedProps) {
  const trader = path === "trader";
  return (
    <EmailLayout preview={toDo.length ? `Getting started: ${toDo.length} step${toDo.length === 1 ? "" : "s"} left` : "You are all set up on Tradsy"} unsubscribeUrl={unsubscribeUrl}>
      <EmailHeading>Getting started on Tradsy</EmailHeading>
      <Greeting name={name} />
      {toDo.length ? (
        <>
          <EmailText>
            Your {trader ? "getting-started" : "provider"} checklist is {progress} done. {toDo.length === 1 ? "One step is left:" : "Here is what is left:"}
          </EmailText>
          <StepList steps={toDo} />
        </>
      ) : (
        <EmailText>
          Your checklist is complete: {trader ? "you follow a provider, copy their signals and have an exchange connected." : "your profile, payouts, price, first signal and TradingView alert are all set."}
        </EmailText>
      )}
      <EmailButton href={dashboardUrl}>Open your checklist</EmailButton>
    </EmailLayout>
  );
}

OnboardingGettingStarted.PreviewProps = {
  name: "Ada",
  path: "trader",
  toDo: [
    { title: "Subscribe to a provider", advice: "Check the record behind the numbers, then subscribe.", url: "https://tradsy.example/providers" },
    { title: "Turn on copying", advice: "Copy into your paper account first.", url: "https://tradsy.example/copy" },
  ],
  progress: "40%",
  dashboardUrl: "https://tradsy.example/dashboard",
  unsubscribeUrl: "https://tradsy.example/api/unsubscribe/example-token",
} satisfies OnboardingGettingStartedProps;
