/**
 * The add-connection form's values and checks, on the shared rules (createConnectionInput). The form holds text as
 * typed (empty credential fields are left out, the local test exchange takes none) and checks what depends on the
 * chosen exchange: the credentials it takes, and the live-account confirmation when the sandbox is off or the
 * exchange has none. The server makes the same checks; this is so a person sees them before sending a key.
 */
import { z } from "zod";
import { createConnectionInput, type CreateConnectionInput } from "@/lib/validation/exchanges";

export interface ExchangeChoice {
  id: string;
  name: string;
  hasSandbox: boolean;
  credentials: ("apiKey" | "secret" | "password")[];
}

const formValues = z.object({
  exchangeId: z.string(),
  label: z.string(),
  apiKey: z.string(),
  secret: z.string(),
  password: z.string(),
  sandbox: z.boolean(),
  confirmLive: z.boolean(),
});
export type ConnectionFormValues = z.input<typeof formValues>;
export type ConnectionFormField = keyof ConnectionFormValues;

export const CONNECTION_FORM_DEFAULTS: ConnectionFormValues = { exchangeId: "", label: "", apiKey: "", secret: "", password: "", sandbox: true, confirmLive: false };

/** Is the account behind these values live (real money)? The sandbox is off, or the exchange has none. */
export const isLive = (exchange: ExchangeChoice | undefined, sandbox: boolean) => Boolean(exchange) && (!exchange!.hasSandbox || !sandbox);

export function connectionFormSchema(exchanges: readonly ExchangeChoice[]) {
  return formValues.transform((v, ctx): CreateConnectionInput => {
    const exchange = exchanges.find((e) => e.id === v.exchangeId);
    const fail = (field: ConnectionFormField, message: string) => ctx.addIssue({ code: "custom", path: [field], message });
    const input: CreateConnectionInput = {
      exchangeId: v.exchangeId,
      label: v.label,
      ...(v.apiKey.trim() ? { apiKey: v.apiKey } : {}),
      ...(v.secret.trim() ? { secret: v.secret } : {}),
      ...(v.password.trim() ? { password: v.password } : {}),
      // Without a sandbox the only way to connect is as a live account.
      sandbox: exchange ? exchange.hasSandbox && v.sandbox : v.sandbox,
      confirmLive: v.confirmLive,
    };
    const checked = createConnectionInput.safeParse(input);
    let bad = false;
    if (!checked.success) {
      for (const issue of checked.error.issues) fail(String(issue.path[0] ?? "exchangeId") as ConnectionFormField, issue.message);
      bad = true;
    }
    if (v.exchangeId && !exchange) {
      fail("exchangeId", "Choose an exchange from the list");
      bad = true;
    }
    if (exchange) {
      const need = { apiKey: "Enter the API key", secret: "Enter the API secret", password: `Enter the passphrase you set when creating the key on ${exchange.name}` } as const;
      for (const field of exchange.credentials) {
        if (!v[field].trim()) {
          fail(field, need[field]);
          bad = true;
        }
      }
      if (isLive(exchange, v.sandbox) && !v.confirmLive) {
        fail("confirmLive", "Confirm that this is a live account: copies will place real orders with real money");
        bad = true;
      }
    }
    return bad || !checked.success ? z.NEVER : input;
  });
}

/** Fields the server names in its field errors, as the form has them. */
export const CONNECTION_SERVER_FIELDS: readonly ConnectionFormField[] = ["exchangeId", "label", "apiKey", "secret", "password", "sandbox", "confirmLive"];
