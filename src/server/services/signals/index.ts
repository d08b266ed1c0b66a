/**
 * Signals: publishing (web form, REST API and TradingView all come here), the provider's manual changes, and the
 * lifecycle events decided from market prices. A signal row is never edited in place: every change appends a
 * hash-chained event (services/chain) in the same transaction that updates the row's current state, and each
 * commit NOTIFYs the realtime channel.
 *
 * By concern: ./checks (a publication's checks and the quota), ./publish (the publication write, locked or in one
 * optimistic statement, with ./publication-sql, ./guard, ./known-heads), ./lifecycle (events applied to a signal,
 * the price monitor's step), ./manual (the provider's own changes), ./queries (reads), ./announce (NOTIFY and job
 * events), ./provider-lock (the one lock that serialises a provider's changes). Functions that act for someone take
 * the `ServiceContext` first.
 */
import "server-only";

export type { LiveSignal, OwnedSignal, SignalRow, SignalSource } from "./types";
export { SIGNAL_CHANNEL, announceChange, announcePublished } from "./announce";
export {
  PUBLISH_RATE,
  checkPublication,
  checkPublicationVerdict,
  refundPublication,
  tryCheckPublication,
  type CheckedPublication,
  type PublicationCheck,
} from "./checks";
export type { GuardFailure, LockTimeout, PublicationGuard } from "./guard";
export {
  publishChecked,
  publishLocked,
  publishOptimistic,
  publishSignal,
  type DeliveryPublishResult,
  type GuardedResult,
  type PublishDelivery,
  type PublishResult,
} from "./publish";
export { applyLifecycle, changeTime, exitLocked, monitorSignal, type ManualEvent } from "./lifecycle";
export { cancelSignal, closeSignal, moveStop } from "./manual";
export { listOwnSignals, liveSignalRows } from "./queries";
export { lockProvider, type LockedProvider, type ProviderLock } from "./provider-lock";
