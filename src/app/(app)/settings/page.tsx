import type { Metadata } from "next";
import { requireUser } from "@/server/auth/guards";
import { api } from "@/trpc/server";
import { ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/card";
import { ApiKeysSection, ChannelsSection, NotificationsSection, PasswordSection, ProfileSection, ProviderProfileSection, EmailSection, TradingViewSection, TradingProfileSection } from "./client";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await requireUser("/settings");
  const caller = await api();
  const [me, prefs, channels, tradingProfile] = await Promise.all([
    caller.account.me(),
    caller.account.notificationPrefs(),
    caller.channels.list(),
    caller.library.tradingProfile(),
  ]);
  const isProvider = user.role === "provider" && me.provider;
  const [keys, webhook] = isProvider ? await Promise.all([caller.apiKeys.list(), caller.providers.webhook()]) : [[], null];
  return (
    <>
      <PageHeader
        title="Settings"
        description="Your profile, sign-in and notifications."
        action={
          <ButtonLink href="/settings/security" variant="secondary" size="sm">
            Security: two-factor sign-in and devices
          </ButtonLink>
        }
      />
      <div className="space-y-6">
        <ProfileSection name={me.name ?? ""} />
        <EmailSection email={me.email} verified={Boolean(me.emailVerified)} />
        {isProvider && me.provider ? (
          <ProviderProfileSection
            profile={{ displayName: me.provider.displayName, tagline: me.provider.tagline, bio: me.provider.bio, markets: me.provider.markets, slug: me.provider.slug }}
          />
        ) : null}
        {isProvider ? <ApiKeysSection initialKeys={keys} /> : null}
        {isProvider && webhook ? <TradingViewSection initial={webhook} /> : null}
        <TradingProfileSection initial={tradingProfile} />
        {me.hasPassword ? <PasswordSection /> : null}
        <NotificationsSection prefs={prefs} />
        <ChannelsSection initial={channels} />
      </div>
    </>
  );
}
