import { describe, expect, it } from "vitest";
import { CONNECTION_FORM_DEFAULTS, connectionFormSchema, type ExchangeChoice } from "./connection-form-schema";

const EXCHANGES: ExchangeChoice[] = [
  { id: "local", name: "Local test exchange", hasSandbox: true, credentials: [] },
  { id: "okx", name: "OKX", hasSandbox: true, credentials: ["apiKey", "secret", "password"] },
  { id: "kraken", name: "Kraken", hasSandbox: false, credentials: ["apiKey", "secret"] },
];
const schema = connectionFormSchema(EXCHANGES);
const errorsOf = (values: Partial<typeof CONNECTION_FORM_DEFAULTS>) => {
  const r = schema.safeParse({ ...CONNECTION_FORM_DEFAULTS, ...values });
  // The first message of each field, as the form shows it.
  return r.success ? {} : Object.fromEntries(r.error.issues.reverse().map((i) => [String(i.path[0]), i.message]));
};

describe("the add-connection form", () => {
  it("sends the local test exchange without credentials, on its sandbox", () => {
    expect(schema.parse({ ...CONNECTION_FORM_DEFAULTS, exchangeId: "local", label: " Test " })).toEqual({ exchangeId: "local", label: " Test ", sandbox: true, confirmLive: false });
  });

  it("asks for every credential the exchange takes, the passphrase named for it", () => {
    expect(errorsOf({ exchangeId: "okx", label: "O" })).toEqual({
      apiKey: "Enter the API key",
      secret: "Enter the API secret",
      password: "Enter the passphrase you set when creating the key on OKX",
    });
  });

  it("needs the live confirmation where there is no sandbox, or when it is turned off", () => {
    expect(errorsOf({ exchangeId: "kraken", label: "K", apiKey: "k", secret: "s" })).toEqual({ confirmLive: expect.stringMatching(/live account/) });
    expect(schema.parse({ ...CONNECTION_FORM_DEFAULTS, exchangeId: "kraken", label: "K", apiKey: "k", secret: "s", confirmLive: true })).toMatchObject({ sandbox: false, confirmLive: true });
    expect(errorsOf({ exchangeId: "okx", label: "O", apiKey: "k", secret: "s", password: "p", sandbox: false })).toEqual({ confirmLive: expect.stringMatching(/live account/) });
  });

  it("applies the shared rules: a name, an exchange from the list, no spaces in a key", () => {
    expect(errorsOf({})).toMatchObject({ exchangeId: "Choose an exchange", label: "Give the connection a name" });
    expect(errorsOf({ exchangeId: "nosuch", label: "x" })).toEqual({ exchangeId: "Choose an exchange from the list" });
    expect(errorsOf({ exchangeId: "kraken", label: "K", apiKey: "a b", secret: "s", confirmLive: true }).apiKey).toMatch(/without spaces/);
  });
});
