/** The settings page's client parts, one section per file in ./_components. */
export { EmailSection, ProfileSection, ResendVerification } from "./_components/account-sections";
export { ApiKeysSection } from "./_components/api-keys-section";
export { ChannelsSection } from "./_components/channels/channels-section";
export { NotificationsSection } from "./_components/notifications-section";
export { PasswordSection } from "./_components/password-section";
export { ProviderProfileSection } from "./_components/provider-profile-section";
export { TradingViewSection } from "./_components/tradingview-section";
export { TradingProfileSection } from "./_components/trading-profile-section";
