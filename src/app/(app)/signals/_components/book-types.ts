import type { SignalView } from "@/server/services/signals/views";

/** A page of the provider's own signals, as `signals.mine` answers it (the cache entry a row patches). */
export type MineData = { items: SignalView[]; total: number; page: number; pageSize: number };
