import { Callout, EmailButton, EmailHeading, EmailText, Greeting, KeyValueTable, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";

export interface OpsAlertProps {
  name: string;
  level: "warning" | "critical";
  /** "CPU at 93% (critical at 90%)": what crossed which line, in words. */
  summary: string;
  /** The reading and the threshold, formatted with their units ("93%", "90%"). */
  value: string;
  threshold: string;
  /** More context when there is some: which disk, which job, the verification's error. */
  detail?: string;
  /** "Dec 7, 2026, 04:51 UTC" */
  when: string;
  /** The admin System page. */
  systemUrl: string;
}

/** Operations alerts go to every admin whatever their email choices: the platform needs someone to look. */
export const stream = "transactional";

const LEVEL_WORDS: Record<OpsAlertProps["level"], { title: string; next: string }> = {
  warning: {
    title: "Warning",
    next: "Nothing is down yet. Look before it becomes critical: the System page shows the last 24 hours.",
  },
  critical: {
    title: "Critical",
    next: "Act now: the platform is at or near the point where people notice. The System page shows the last 24 hours.",
  },
};

export function opsAlertSubject({ level, summary }: Pick<OpsAlertProps, "level" | "summary">): string {
  return `[Tradsy ${level}] ${summary}`;
}

export default function OpsAlert({ name, level, summary, value, threshold, detail, when, systemUrl }: OpsAlertProps) {
  const words = LEVEL_WORDS[level];
  return (
    <EmailLayout preview={`${words.title}: ${summary}`}>
      <EmailHeading>{`${words.title}: ${summary}`}</EmailHeading>
      <Greeting name={name} />
      <Callout>{words.next}</Callout>
      <KeyValueTable
        rows={[
          { label: "Reading", value },
          { label: `${words.title} at`, value: threshold },
          { label: "When", value: when },
          ...(detail ? [{ label: "Detail", value: detail }] : []),
        ]}
      />
      <EmailButton href={systemUrl}>Open the System page</EmailButton>
      <EmailText>While it stays at this level you hear about it again at most once every 5 minutes.</EmailText>
      <MutedNote>You get this because you are a Tradsy admin.</MutedNote>
    </EmailLayout>
  );
}

OpsAlert.PreviewProps = {
  name: "Ada",
  level: "critical",
  summary: "CPU at 93% (critical at 90%)",
  value: "93%",
  threshold: "90%",
  detail: "cgroup CPU over the last minute, 2 cores",
  when: "Dec 7, 2026, 04:51 UTC",
  systemUrl: "https://tradsy.example/admin/system",
} satisfies OpsAlertProps;
