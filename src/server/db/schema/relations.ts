import "server-only";
import { relations } from "drizzle-orm";
import { apiKeys, providers } from "./providers";
import { accounts, users } from "./users";
import { providerStats, signalEvents, signals } from "./signals";
import { subscriptions } from "./subscriptions";

export const usersRelations = relations(users, ({ one, many }) => ({
  provider: one(providers, { fields: [users.id], references: [providers.userId] }),
  accounts: many(accounts),
}));

export const providersRelations = relations(providers, ({ one, many }) => ({
  user: one(users, { fields: [providers.userId], references: [users.id] }),
  apiKeys: many(apiKeys),
  signals: many(signals),
  stats: many(providerStats),
  subscriptions: many(subscriptions),
}));

export const signalsRelations = relations(signals, ({ one, many }) => ({
  provider: one(providers, { fields: [signals.providerId], references: [providers.id] }),
  events: many(signalEvents),
}));

export const signalEventsRelations = relations(signalEvents, ({ one }) => ({
  signal: one(signals, { fields: [signalEvents.signalId], references: [signals.id] }),
}));

export const subscriptionsRelations = relations(subscriptions, ({ one }) => ({
  subscriber: one(users, { fields: [subscriptions.subscriberId], references: [users.id] }),
  provider: one(providers, { fields: [subscriptions.providerId], references: [providers.id] }),
}));

export const providerStatsRelations = relations(providerStats, ({ one }) => ({
  provider: one(providers, { fields: [providerStats.providerId], references: [providers.id] }),
}));

export const apiKeysRelations = relations(apiKeys, ({ one }) => ({
  provider: one(providers, { fields: [apiKeys.providerId], references: [providers.id] }),
}));
