/** Input rules for the TradingView webhook's settings, shared by the settings form and the providers router. */
import { z } from "zod";

/** The webhook's passphrase, a second secret inside the alert message (the router also takes null: remove it). */
export const webhookPassphraseSchema = z.string().trim().min(8, "Use at least 8 characters").max(100, "Use at most 100 characters");
