import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";

export const metadata: Metadata = {
  title: "Terms of service",
  description: "The rules for using Tradsy: accounts, subscriptions and the 70/30 revenue split, provider obligations, copy trading and termination.",
};

const LAST_UPDATED = "November 21, 2026";

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-6">
      <h2 id={`${id}-title`} className="text-lg font-semibold text-slate-900">
        {title}
      </h2>
      <div className="mt-3 space-y-3 text-[15px] leading-7 text-slate-700 [&_li]:pl-1 [&_ul]:list-disc [&_ul]:space-y-2 [&_ul]:pl-5">{children}</div>
    </section>
  );
}

const SECTIONS = [
  ["about", "1. About these terms"],
  ["service", "2. What Tradsy is, and is not"],
  ["accounts", "3. Your account"],
  ["subscriptions", "4. Subscriptions and payments"],
  ["payouts", "5. Revenue split and payouts"],
  ["providers", "6. Obligations of providers"],
  ["records", "7. Track records"],
  ["copying", "8. Copy trading"],
  ["use", "9. Acceptable use"],
  ["termination", "10. Suspension and termination"],
  ["liability", "11. Disclaimers and limits of liability"],
  ["changes", "12. Changes to these terms"],
] as const;

export default function TermsPage() {
  return (
    <div className="mx-auto max-w-6xl px-4 py-12 sm:px-6 lg:py-16">
      <div className="lg:grid lg:grid-cols-[14rem_1fr] lg:gap-12">
        <nav aria-label="Sections" className="hidden lg:block">
          <div className="sticky top-8">
            <p className="text-xs font-semibold tracking-wide text-slate-500 uppercase">On this page</p>
            <ul className="mt-3 space-y-2 text-sm">
              {SECTIONS.map(([id, title]) => (
                <li key={id}>
                  <a href={`#${id}`} className="text-slate-600 hover:text-slate-900">
                    {title}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        </nav>
        <article className="max-w-3xl">
          <header className="border-b border-slate-200 pb-6">
            <h1 className="text-3xl font-semibold tracking-tight text-slate-900">Terms of service</h1>
            <p className="mt-2 text-sm text-slate-500">Last updated {LAST_UPDATED}</p>
            <p className="mt-4 text-[15px] leading-7 text-slate-700">
              These terms are an agreement between you and Tradsy. They cover traders who follow signals and providers who publish them.
              Read them together with the{" "}
              <Link href="/disclaimer" className="font-medium text-brand-700 underline underline-offset-4">
                risk disclaimer
              </Link>
              , which explains the risks of trading and copy trading.
            </p>
          </header>

          <div className="mt-8 space-y-10">
            <Section id="about" title="1. About these terms">
              <p>
                By creating an account you accept these terms. You must be at least 18 years old and allowed, where you live, to trade the
                markets you use Tradsy for and to publish or receive trading signals.
              </p>
            </Section>

            <Section id="service" title="2. What Tradsy is, and is not">
              <p>
                Tradsy is a marketplace where independent providers publish trading signals and a tool that can copy those signals into a
                paper account or into an exchange account you connect.
              </p>
              <ul>
                <li>Tradsy is not a broker, an investment adviser or a portfolio manager, and gives no investment advice.</li>
                <li>
                  We never hold your trading funds. Live copies are placed on your own exchange account through API keys you provide; paper
                  accounts use simulated money only.
                </li>
                <li>Providers are independent. Their signals are their own opinions, not ours, and we do not endorse any provider.</li>
              </ul>
            </Section>

            <Section id="accounts" title="3. Your account">
              <ul>
                <li>Give accurate details and keep your password private; we recommend turning on two-factor authentication. One account per person.</li>
                <li>You are responsible for what happens under your account, including orders placed by the copy settings you choose.</li>
                <li>
                  Exchange API keys you connect should allow trading only, never withdrawals. We store them encrypted and you can revoke
                  them at any time, here and at the exchange.
                </li>
              </ul>
            </Section>

            <Section id="subscriptions" title="4. Subscriptions and payments">
              <ul>
                <li>Each provider sets their own monthly price, shown on their profile before you subscribe.</li>
                <li>
                  Subscriptions are billed monthly in advance through Stripe and renew until you cancel. Cancelling stops the next renewal;
                  you keep access until the end of the period you paid for.
                </li>
                <li>
                  If a provider offers a free trial, it turns into a paid subscription at the end of the trial unless you cancel before
                  then.
                </li>
                <li>Payments for a period already started are not refunded, except where the law requires it or these terms say so.</li>
                <li>A provider&rsquo;s price change applies from your next billing period, never to one you have already paid for.</li>
                <li>The free tier lets you copy up to 4 signals into a paper account without a subscription.</li>
              </ul>
            </Section>

            <Section id="payouts" title="5. Revenue split and payouts">
              <p>
                Of each subscription payment, 70% goes to the provider and 30% to Tradsy. Refunds and chargebacks are shared in the same
                proportion.
              </p>
              <ul>
                <li>
                  Providers are paid through Stripe Connect and must complete Stripe&rsquo;s identity and payout onboarding before they can
                  accept subscribers.
                </li>
                <li>Providers are responsible for their own taxes and for any registration their country requires to sell signals.</li>
              </ul>
            </Section>

            <Section id="providers" title="6. Obligations of providers">
              <ul>
                <li>Publish only your own signals, at the time you act on them. Back-dating a signal, or trying to, is not allowed.</li>
                <li>
                  Published signals are immutable. Moving a stop, closing part of a position or closing it is recorded as a new event; the
                  original is never edited or deleted.
                </li>
                <li>Every signal needs a clear instrument, direction and entry; give a stop-loss whenever your strategy uses one.</li>
                <li>Do not promise or imply guaranteed returns, and do not misstate your Tradsy record anywhere else.</li>
                <li>
                  Do not trade against your subscribers: no front-running your own signals, no coordinated buying to move thin markets, no
                  undisclosed conflicts of interest.
                </li>
                <li>Follow the laws that apply to giving trading signals where you and your subscribers live.</li>
              </ul>
            </Section>

            <Section id="records" title="7. Track records">
              <p>
                Each provider&rsquo;s statistics are computed from their published signals and events, which are linked in a sha256 hash chain
                that anyone can recompute. We do not remove signals because they lost money. If a provider leaves, their published record
                stays visible, read-only, so past subscribers can still check it.
              </p>
            </Section>

            <Section id="copying" title="8. Copy trading">
              <ul>
                <li>
                  When you turn copying on, you authorise Tradsy to place, change and close orders on the account you chose, following the
                  provider&rsquo;s signals and your own settings.
                </li>
                <li>
                  Copying is best effort. Orders that would break your limits (size, open positions, slippage, daily loss, signal age) are
                  skipped and the reason is recorded. Your results will differ from the provider&rsquo;s.
                </li>
                <li>You stay in control: you can pause copying, close positions by hand or use the kill switch at any time.</li>
              </ul>
            </Section>

            <Section id="use" title="9. Acceptable use">
              <ul>
                <li>Do not pass paid signals on to people who have not subscribed.</li>
                <li>Do not scrape the site, overload the API beyond its rate limits or probe for security weaknesses without permission.</li>
                <li>Do not impersonate others, open accounts to get around a suspension or use Tradsy for anything unlawful.</li>
              </ul>
            </Section>

            <Section id="termination" title="10. Suspension and termination">
              <p>You can close your account at any time; active subscriptions are cancelled at the end of their period.</p>
              <p>
                We may suspend or close an account that breaks these terms, for example by attempting to back-date or alter signals,
                manipulating markets, abusing chargebacks or committing fraud, or where the law requires it. If we close a provider&rsquo;s
                account, their subscriptions end and subscribers are refunded for the unused part of the current period.
              </p>
              <p>
                When copying stops for any reason, positions already open on your exchange stay open. They are yours to manage.
              </p>
            </Section>

            <Section id="liability" title="11. Disclaimers and limits of liability">
              <p>
                Tradsy is provided as is. We work to keep it available and accurate but cannot promise that it will be uninterrupted or
                error-free, or that every signal will be copied. To the extent the law allows, we are not liable for trading losses, for
                missed, late or partial copies, or for failures of exchanges, payment providers or networks. Our total liability for any
                claim is limited to what you paid Tradsy in the 12 months before it arose.
              </p>
            </Section>

            <Section id="changes" title="12. Changes to these terms">
              <p>
                We will email you at least 30 days before a material change takes effect. If you keep using Tradsy after that, the new
                terms apply; if you do not agree, you can close your account before then.
              </p>
            </Section>
          </div>
        </article>
      </div>
    </div>
  );
}
