import { Callout, EmailButton, EmailHeading, EmailText, Greeting, KeyValueTable, MutedNote } from "./_components";
import { EmailLayout } from "./_layout";

export interface CopyExitFailingProps {
  name: string;
  /** "BTC/USDT" */
  symbol: string;
  /** "Selling BTC/USDT (your copy of Northwind Trading)" */
  what: string;
  /** The exchange connection's label, or "your exchange connection". */
  connection: string;
  attempts: number;
  /** The exchange's last words (never a key or a URL: integrations/exchanges/errors.ts). */
  exchangeSaid: string;
  copyUrl: string;
}

/** A safety alert: an exit keeps failing on an exchange. Sent whatever the follower's copy-email choice. */
export const stream = "transactional";

export function copyExitFailingSubject({ symbol, connection }: Pick<CopyExitFailingProps, "symbol" | "connection">): string {
  return `Action may be needed: closing ${symbol} on ${connection} keeps failing`;
}

export default function CopyExitFailing({ name, symbol, what, connection, attempts, exchangeSaid, copyUrl }: CopyExitFailingProps) {
  return (
    <EmailLayout preview={`Closing ${symbol} keeps failing`}>
      <EmailHeading>Closing {symbol} keeps failing</EmailHeading>
      <Greeting name={name} />
      <Callout>
        {what} on {connection} failed {attempts} times.
      </Callout>
      <KeyValueTable
        rows={[
          { label: "Exchange", value: connection },
          { label: "Attempts", value: String(attempts) },
          { label: "The exchange said", value: exchangeSaid },
        ]}
      />
      <EmailText>
        Tradsy keeps retrying it. If the exchange keeps refusing (a key that lost its trading permission, funds locked
        elsewhere), fix that on the exchange or close the position there yourself; reconciliation will then record it.
      </EmailText>
      <EmailButton href={copyUrl}>Open the copy trading page</EmailButton>
      <MutedNote>Failing exits are reported whatever your email choices: an open position may need you.</MutedNote>
    </EmailLayout>
  );
}

CopyExitFailing.PreviewProps = {
  name: "Ada",
  symbol: "BTC/USDT",
  what: "Selling BTC/USDT (your copy of Northwind Trading)",
  connection: "Binance (main)",
  attempts: 3,
  exchangeSaid: "Account has insufficient balance for requested action.",
  copyUrl: "https://tradsy.example/copy",
} satisfies CopyExitFailingProps;
