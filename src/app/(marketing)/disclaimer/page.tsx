import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";

export const metadata: Metadata = {
  title: "Risk disclaimer",
  description: "The risks of trading and copy trading on Tradsy: no investment advice, past performance, slippage, latency and exchange outages.",
};

const LAST_UPDATED = "November 21, 2026";

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section>
      <h2 className="text-lg font-semibold text-slate-900">{title}</h2>
      <div className="mt-3 space-y-3 text-[15px] leading-7 text-slate-700 [&_li]:pl-1 [&_ul]:list-disc [&_ul]:space-y-2 [&_ul]:pl-5">{children}</div>
    </section>
  );
}

export default function DisclaimerPage() {
  return (
    <div className="mx-auto max-w-3xl px-4 py-12 sm:px-6 lg:py-16">
      <article>
        <header>
          <h1 className="text-3xl font-semibold tracking-tight text-slate-900">Risk disclaimer</h1>
          <p className="mt-2 text-sm text-slate-500">Last updated {LAST_UPDATED}</p>
        </header>

        <div className="mt-6 rounded-lg border border-amber-200 bg-amber-50 p-5 text-amber-950">
          <h2 className="text-sm font-semibold">In short</h2>
          <p className="mt-1 text-[15px] leading-7">
            Trading can lose you money quickly, including more than you deposit on leveraged products. Signals on Tradsy are the opinions
            of independent providers, not advice. A verified record proves what was published and when; it does not predict what happens
            next. Copied trades will not match the provider&rsquo;s results exactly. Only trade with money you can afford to lose.
          </p>
        </div>

        <div className="mt-10 space-y-10">
          <Section title="No investment advice">
            <p>
              Tradsy is a marketplace and a copy-trading tool. Nothing on it is investment, financial, legal or tax advice, or an offer or
              recommendation to buy or sell anything. Signals are general: they do not take your finances, goals or experience into
              account. We do not check providers&rsquo; qualifications and do not recommend any of them. Consider getting independent
              advice before you trade.
            </p>
          </Section>

          <Section title="Risk of loss">
            <ul>
              <li>You can lose some or all of the money you trade with.</li>
              <li>
                Leveraged products such as futures, margin forex and crypto derivatives can lose more than your initial deposit, and
                positions can be liquidated without warning.
              </li>
              <li>Prices can gap past a stop-loss (over a weekend, on news, or when a market is thin), so a stop limits risk but does not cap it.</li>
            </ul>
          </Section>

          <Section title="Past performance">
            <p>
              Every signal is sealed into a sha256 hash chain when it is published, which proves that the record was not back-dated or
              edited afterwards. It does not prove skill. Past performance, verified or not, does not guarantee future results.
            </p>
            <ul>
              <li>Short records and small numbers of trades can look far better or worse than the strategy really is.</li>
              <li>A strategy that suited past markets can stop working when conditions change.</li>
              <li>
                Statistics are calculated from signal prices. They do not include your slippage, fees or funding costs, which are shown
                separately in the execution ledger.
              </li>
              <li>Backtests and paper results are hypothetical: they are made without real fills, real liquidity or the pressure of real money.</li>
            </ul>
          </Section>

          <Section title="Risks specific to copy trading">
            <p>When a signal is copied into your account, your result can differ from the provider&rsquo;s, sometimes by a lot:</p>
            <ul>
              <li>
                <strong className="font-semibold text-slate-900">Slippage.</strong> Your order fills at the market price when it reaches the
                exchange, which can be worse than the signal price. Your maximum-slippage setting may skip a copy entirely.
              </li>
              <li>
                <strong className="font-semibold text-slate-900">Latency.</strong> Seconds pass between a provider publishing and your order
                being placed. In fast markets the price moves in that time.
              </li>
              <li>
                <strong className="font-semibold text-slate-900">Exchange outages and limits.</strong> Exchanges go down, hit rate limits,
                pause trading or reject orders. Copies can be late, partial or missing, and a stop update may not reach the exchange in
                time.
              </li>
              <li>
                <strong className="font-semibold text-slate-900">Our own outages.</strong> Tradsy can fail too. Positions that are already
                open stay open on your exchange while we are down.
              </li>
              <li>
                <strong className="font-semibold text-slate-900">Sizing and rounding.</strong> Minimum order sizes, lot steps and your risk
                settings mean your position is rarely an exact copy.
              </li>
              <li>
                <strong className="font-semibold text-slate-900">Revoked or wrong API keys.</strong> If your keys stop working, copying stops
                and you will need to manage open positions yourself.
              </li>
              <li>
                <strong className="font-semibold text-slate-900">Counterparty risk.</strong> Funds held at an exchange depend on that exchange
                staying solvent and honest. Tradsy never holds your trading funds.
              </li>
            </ul>
          </Section>

          <Section title="You stay responsible">
            <ul>
              <li>Decide for yourself whether a provider and a market suit you, and size your account and limits accordingly.</li>
              <li>Watch your account. You can pause copying, close positions by hand or use the kill switch at any time.</li>
              <li>Make sure copy trading and the markets you trade are allowed where you live, and report your gains and losses for tax.</li>
            </ul>
          </Section>

          <Section title="Providers">
            <p>
              Providers are independent and are not employed or supervised by Tradsy. They are paid a share of subscriptions whatever the
              outcome of their signals, and may hold positions in the instruments they publish.
            </p>
          </Section>
        </div>

        <p className="mt-12 border-t border-slate-200 pt-6 text-sm text-slate-500">
          This disclaimer is part of the{" "}
          <Link href="/terms" className="font-medium text-brand-700 underline underline-offset-4">
            terms of service
          </Link>
          . You are asked to accept it before you can copy signals.
        </p>
      </article>
    </div>
  );
}
