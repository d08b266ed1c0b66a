import { CopyOrdersEmail, PREVIEW_LINES, type CopyOrdersProps } from "./_copy-orders";

/**
 * A follower's copy orders that settled together (one signal event's page), leading with the rejected ones; any other
 * outcome of the same batch is listed below them, so the follower gets one email per batch.
 */
export type CopyRejectedProps = CopyOrdersProps;

export const stream = "notification";

export default function CopyRejected(props: CopyRejectedProps) {
  return <CopyOrdersEmail lead="rejected" {...props} />;
}

CopyRejected.PreviewProps = {
  name: "Ada",
  filled: [PREVIEW_LINES.filled],
  skipped: [],
  rejected: [PREVIEW_LINES.rejected],
  copyUrl: "https://tradsy.example/copy",
  unsubscribeUrl: "https://tradsy.example/api/unsubscribe/example-token",
} satisfies CopyRejectedProps;
