/**
 * Exchange connection input rules, shared by the connections service and (next) the connections form.
 * Credentials are only checked for shape here; whether the exchange takes them is the service's one private call.
 */
import { z } from "zod";

/** Printable ASCII without spaces: what every exchange issues as keys, secrets and passphrases. */
const credential = (name: string) =>
  z
    .string({ error: `Enter the ${name}` })
    .trim()
    .min(1, `Enter the ${name}`)
    .max(512, `The ${name} is longer than any exchange issues (512 characters at most)`)
    .regex(/^[\x21-\x7e]+$/, `The ${name} has characters no exchange uses: paste it again without spaces`);

export const createConnectionInput = z.object({
  exchangeId: z
    .string({ error: "Choose an exchange" })
    .trim()
    .min(1, "Choose an exchange")
    .max(64, "Choose an exchange from the list")
    // ccxt ids are lower-case alphanumerics; ours may have hyphens ("local-alpaca").
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "Choose an exchange from the list"),
  label: z
    .string({ error: "Give the connection a name" })
    .trim()
    .min(1, "Give the connection a name")
    .max(60, "Keep the name to 60 characters"),
  /** Optional for the local test exchange and broker only (they have their own keys). Alpaca's key ID goes here. */
  apiKey: credential("API key").optional(),
  secret: credential("API secret").optional(),
  /** OKX's passphrase, KuCoin's... (ccxt calls it `password`). */
  password: credential("passphrase").optional(),
  /** The exchange's testnet / sandbox (Alpaca: the paper account); on unless the follower turns it off. */
  sandbox: z.boolean().default(true),
  /** Required to connect a live (non-sandbox) account: "this is a live account with real money". */
  confirmLive: z.boolean().default(false),
});
export type CreateConnectionInput = z.input<typeof createConnectionInput>;

export const removeConnectionInput = z.object({
  /** Close the connection's open copies (placed on the exchange by the connection's run) and then remove it. */
  closeCopies: z.boolean().default(false),
});
