/** Shapes the track-record components take (plain data, so server pages can pass them to client components). */
import type { StatsWindowKey } from "./format";
import type { TrackRecordStats } from "@/lib/stats";
// Type-only: erased at build time, so no server code reaches the browser.
import type { FullSignalView, HiddenSignalView } from "@/server/services/signals/views";

/** One window's row of provider_stats: decimal strings, fractions not percentages (the stats library's shape). */
export type WindowStats = Omit<TrackRecordStats, "window">;

export type StatsByWindow = Partial<Record<StatsWindowKey, WindowStats>>;

/** A signal as the track-record components show it: the subset of the signals API's full view they read. */
export type SignalLevels = Omit<FullSignalView, "visibility" | "id" | "providerId" | "source" | "expiresAt">;

/** An open signal seen by someone not entitled to its levels. */
export type HiddenSignal = Omit<HiddenSignalView, "visibility" | "id" | "providerId">;

export type ShownSignal = ({ visibility: "full" } & SignalLevels) | ({ visibility: "hidden" } & HiddenSignal);
