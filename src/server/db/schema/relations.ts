import "server-only";
import { relations } from "drizzle-orm";
import { apiKeys, providers } from "./providers";
import { accounts, users } from "./users";

export const usersRelations = relations(users, ({ one, many }) => ({
  provider: one(providers, { fields: [users.id], references: [providers.userId] }),
  accounts: many(accounts),
}));

export const providersRelations = relations(providers, ({ one, many }) => ({
  user: one(users, { fields: [providers.userId], references: [users.id] }),
  apiKeys: many(apiKeys),
}));

export const apiKeysRelations = relations(apiKeys, ({ one }) => ({
  provider: one(providers, { fields: [apiKeys.providerId], references: [providers.id] }),
}));
