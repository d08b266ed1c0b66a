import { CopyOrdersEmail, PREVIEW_LINES, type CopyOrdersProps } from "./_copy-orders";

/**
 * A follower's copy orders that settled together (one signal event's page), leading with the skipped ones; any other
 * outcome of the same batch is listed below them, so the follower gets one email per batch.
 */
export type CopySkippedProps = CopyOrdersProps;

export const stream = "notification";

export default function CopySkipped(props: CopySkippedProps) {
  return <CopyOrdersEmail lead="skipped" {...props} />;
}

CopySkipped.PreviewProps = {
  name: "Ada",
  filled: [],
  skipped: [PREVIEW_LINES.skipped],
  rejected: [],
  copyUrl: "https://tradsy.example/copy",
  unsubscribeUrl: "https://tradsy.example/api/unsubscribe/example-token",
} satisfies CopySkippedProps;
