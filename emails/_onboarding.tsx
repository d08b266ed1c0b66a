import { Link, Section, Text } from "@react-email/components";
import { colors, darkClass } from "./_layout";

/** One step of the onboarding checklist as the emails show it: title, advice, and an absolute link to where it is done. */
export interface OnboardingStepLine {
  title: string;
  advice: string;
  url: string;
}

/** The steps, numbered; in the plain-text part each reads "1. Title: advice" with the link after it. */
export function StepList({ steps }: { steps: OnboardingStepLine[] }) {
  return (
    <Section style={{ margin: "0 0 16px" }}>
      {steps.map((s, i) => (
        <Text key={s.title} className={darkClass.text} style={{ color: colors.text, fontSize: 15, lineHeight: "22px", margin: "0 0 12px" }}>
          <strong>
            {i + 1}. {s.title}
          </strong>
          : {s.advice}{" "}
          <Link href={s.url} className={darkClass.brand} style={{ color: colors.brand }}>
            {s.title}
          </Link>
        </Text>
      ))}
    </Section>
  );
}
