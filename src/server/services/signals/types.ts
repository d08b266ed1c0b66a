/** The signal row as the signals service hands it around, and the names it is known by. */
import "server-only";
import type { signals } from "@/server/db/schema";

export type SignalRow = typeof signals.$inferSelect;
export type SignalSource = SignalRow["source"];
export type LiveSignal = Pick<SignalRow, "id" | "side" | "status">;

/** A signal as its provider names it: a change is made only when the signal is that provider's. */
export interface OwnedSignal {
  providerId: string;
  signalId: string;
}
