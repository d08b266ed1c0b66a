import { Callout, EmailButton, EmailHeading, EmailText, Greeting, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";

export type RiskPauseReason = "daily_loss_limit" | "copy_stop_loss";

export interface CopyRiskPauseProps {
  name: string;
  providerName: string;
  reason: RiskPauseReason;
  /** The following's settings page. */
  followUrl: string;
}

/**
 * A safety alert: a risk rule stopped copying a provider (and, for the copy stop-loss, closed its copies). Sent
 * whatever the follower's copy-email choice, like a security alert: it changed what happens with their account.
 */
export const stream = "transactional";

const WHAT: Record<RiskPauseReason, (provider: string) => { title: string; text: string; next: string }> = {
  daily_loss_limit: (provider) => ({
    title: `Copying ${provider} paused for today`,
    text: `Your copies reached the daily loss limit you set, so no new ${provider} signals are copied for the rest of the UTC day. Copies already open keep following their signals' exits.`,
    next: "New entries resume at 00:00 UTC. You can change the limit in the following's settings.",
  }),
  copy_stop_loss: (provider) => ({
    title: `Copy stop-loss hit: copying ${provider} is paused`,
    text: `The equity you allocated to ${provider} fell to the floor of your copy stop-loss. Copying is paused and its open copies are being closed at the market.`,
    next: "Nothing more is copied from this provider until you turn copying back on.",
  }),
};

export function copyRiskPauseSubject({ providerName, reason }: Pick<CopyRiskPauseProps, "providerName" | "reason">): string {
  return WHAT[reason](providerName).title;
}

export default function CopyRiskPause({ name, providerName, reason, followUrl }: CopyRiskPauseProps) {
  const what = WHAT[reason](providerName);
  return (
    <EmailLayout preview={what.title}>
      <EmailHeading>{what.title}</EmailHeading>
      <Greeting name={name} />
      <Callout>{what.text}</Callout>
      <EmailText>{what.next}</EmailText>
      <EmailButton href={followUrl}>Review your copy settings</EmailButton>
      <MutedNote>Risk alerts are sent whatever your email choices: they tell you that copying stopped.</MutedNote>
    </EmailLayout>
  );
}

CopyRiskPause.PreviewProps = {
  name: "Ada",
  providerName: "Northwind Trading",
  reason: "copy_stop_loss",
  followUrl: "https://tradsy.example/copy",
} satisfies CopyRiskPauseProps;
