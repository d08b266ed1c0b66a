import { Section, Text } from "@react-email/components";
import { EmailButton, EmailHeading, EmailText, Greeting } from "./_components";
import { colors, darkClass, EmailLayout } from "./_layout";
import { StepList, type OnboardingStepLine } from "./_onboarding";

export interface OnboardingTipsProps {
  name: string;
  path: "trader" | "provider";
  /** Advice on the checklist steps still to do when the email is queued (none on steps already done). */
  toDo: OnboardingStepLine[];
  /** Tips that hold whatever the user has done. */
  tips: string[];
  dashboardUrl: string;
  unsubscribeUrl: string;
}

export const stream = "marketing";

export default function OnboardingTips({ name, path, toDo, tips, dashboardUrl, unsubscribeUrl }: OnboardingTipsProps) {
  const trader = path === "trader";
  return (
    <EmailLayout preview={trader ? "Tips for choosing and copying providers" : "Tips for a track record traders trust"} unsubscribeUrl={unsubscribeUrl}>
      <EmailHeading>{trader ? "Tips for following providers" : "Tips for providers"}</EmailHeading>
      <Greeting name={name} />
      {tips.length ? (
        <Section style={{ margin: "0 0 16px" }}>
          {tips.map((tip) => (
            <Text key={tip} className={darkClass.text} style={{ color: colors.text, fontSize: 15, lineHeight: "22px", margin: "0 0 10px" }}>
              • {tip}
            </Text>
          ))}
        </Section>
      ) : null}
      {toDo.length ? (
        <>
          <EmailText>And the steps you have not taken yet:</EmailText>
          <StepList steps={toDo} />
        </>
      ) : null}
      <EmailButton href={dashboardUrl}>Open your dashboard</EmailButton>
    </EmailLayout>
  );
}

OnboardingTips.PreviewProps = {
  name: "Ada",
  path: "trader",
  toDo: [{ title: "Connect an exchange", advice: "Add a trade-only API key, sandbox first.", url: "https://tradsy.example/copy/connections" }],
  tips: ["Look at the drawdown, not only the return.", "Keep each following's allocation small and set a daily loss limit."],
  dashboardUrl: "https://tradsy.example/dashboard",
  unsubscribeUrl: "https://tradsy.example/api/unsubscribe/example-token",
} satisfies OnboardingTipsProps;
