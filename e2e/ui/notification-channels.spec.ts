/**
 * Issue 16 in the browser: notification channels, from Settings to a receiver's signature check.
 *
 * A provider opens paid subscriptions and a trader subscribes (the stand-in checkout). The trader opens Settings →
 * Notification channels, is refused a URL that is not Discord's and an http://10.0.0.5 endpoint (each with its
 * reason under the URL field), adds a Discord webhook and a signed webhook endpoint (its secret shown once, gone after
 * a reload), sends each a test message (the endpoint's carries a Tradsy-Signature that verifies with that secret);
 * the provider publishes and both destinations receive the signal with its levels (the trader is entitled); the
 * endpoint's delivery log shows it sent with HTTP 200, "Redeliver" sends it again with the same event id; the same
 * log opened by another account is a 404.
 *
 * Why this spec runs its own server: outbound sends reach local fakes only through OUTBOUND_URL_ALLOWLIST, which
 * production refuses at start-up (src/server/http/safe-fetch.ts, src/server/secrets.ts), and the shared e2e server is
 * `next start`, i.e. production. So the spec starts `next dev` (development: the allow-list is accepted) on
 * 127.0.0.1:3102 with a data directory of its own, the allow-list naming the two fakes below on fixed ports, and
 * DISCORD_API_BASE_URL pointing Discord sends at the fake Discord. It is stopped after the spec, before the `dev`
 * project (which runs its own `next dev` in the same folder) can start. The fakes are plain node:http servers here
 * (the app's own fakes import "server-only", which a test runner cannot load).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "@playwright/test";
import {
  DEMO,
  expect,
  newAccount,
  openPaidSubscriptions,
  publishSignal,
  signUp,
  subscribeWithCard,
  test,
} from "../fixtures";
import { MARKET_DATA_DIR } from "../../playwright.config";
import { verifySignature } from "../../src/lib/webhook-signature";
import { stopProcessGroup } from "../process-group";

test.skip(
  !MARKET_DATA_DIR,
  "needs recorded market data (MARKET_DATA_DIR or ../shared/data): publishing needs prices",
);
test.describe.configure({ mode: "serial" });

const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
);
const APP_PORT = 3102;
const APP_URL = `http://127.0.0.1:${APP_PORT}`;
const RECEIVER_PORT = 4621;
const DISCORD_PORT = 4622;
const DATA_DIR = ".data/e2e-channels";
const LOG = path.join(ROOT, "test-results", "e2e-channels-server.log");
/** A cold `next dev` on two busy cores: start-up, then each page compiled on its first request. */
const READY_TIMEOUT_MS = 240_000;
const SLOW = { timeout: 90_000 };

/** The Discord URL the trader pastes: Discord's format; sends go to the fake Discord (DISCORD_API_BASE_URL). */
const DISCORD_ID = "123456789012345678";
const DISCORD_TOKEN =
  "E2eDiscordWebhookToken_abcdefghijklmnopqrstuvwxyz0123456789";

/** What the fakes read from a body: a webhook envelope's fields, or a Discord execute-webhook body's. */
interface Body {
  id?: string;
  type?: string;
  data?: {
    provider: { name: string };
    entitled: boolean;
    signal: {
      symbol?: string;
      side?: string;
      levels?: { stopLoss: string | null; takeProfits: unknown[] };
    };
  };
  content?: string;
  allowed_mentions?: unknown;
  embeds?: {
    title: string;
    footer: { text: string };
    fields: { name: string; value: string }[];
  }[];
}

interface Received {
  path: string;
  headers: Record<string, string>;
  rawBody: string;
  json: Body;
}

/** A receiver that records every POST as it arrived and answers `status` (200 unless told). */
class Recorder {
  readonly requests: Received[] = [];
  private server: http.Server | null = null;
  constructor(
    private readonly port: number,
    private readonly answer: (req: Received) => {
      status: number;
      body: string;
      type: string;
    },
  ) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const rawBody = Buffer.concat(chunks).toString("utf8");
        let json: Body = {};
        try {
          json = JSON.parse(rawBody) as Body;
        } catch {
          // recorded as received; the assertions say what was wrong
        }
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [
            k,
            Array.isArray(v) ? v.join(", ") : (v ?? ""),
          ]),
        );
        const received = { path: req.url ?? "", headers, rawBody, json };
        this.requests.push(received);
        const a = this.answer(received);
        res.writeHead(a.status, { "content-type": a.type });
        res.end(a.body);
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.port, "127.0.0.1", () => resolve());
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server)
      await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  of(type: string): Received[] {
    return this.requests.filter((r) => r.json.type === type);
  }
}

const receiver = new Recorder(RECEIVER_PORT, () => ({
  status: 200,
  body: "ok",
  type: "text/plain",
}));
/** Discord's execute-webhook with ?wait=true answers the message it saved. */
const discord = new Recorder(DISCORD_PORT, (r) =>
  r.path.startsWith(`/api/webhooks/${DISCORD_ID}/${DISCORD_TOKEN}`)
    ? {
        status: 200,
        body: JSON.stringify({
          id: String(1_000_000_000_000_000_000n + BigInt(r.path.length)),
          channel_id: "1",
          content: r.json.content ?? "",
        }),
        type: "application/json",
      }
    : {
        status: 404,
        body: JSON.stringify({ message: "Unknown Webhook", code: 10015 }),
        type: "application/json",
      },
);

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of [
    "NODE_ENV",
    "PORT",
    "DATABASE_URL",
    "TRUSTED_PROXY_HOPS",
    "TRUST_PROXY",
    "AUTH_SECRET",
    "ENCRYPTION_KEY",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
  ])
    delete env[key];
  return {
    ...env,
    DATA_DIR,
    APP_URL,
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
    MARKET_DATA_DIR,
    OUTBOUND_URL_ALLOWLIST: `127.0.0.1:${RECEIVER_PORT},127.0.0.1:${DISCORD_PORT}`,
    DISCORD_API_BASE_URL: `http://127.0.0.1:${DISCORD_PORT}`,
  };
}

async function startServer(): Promise<ChildProcess> {
  fs.rmSync(path.join(ROOT, DATA_DIR), { recursive: true, force: true });
  fs.mkdirSync(path.dirname(LOG), { recursive: true });
  const out = fs.openSync(LOG, "w");
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, "node_modules/next/dist/bin/next"),
      "dev",
      "-p",
      String(APP_PORT),
      "-H",
      "127.0.0.1",
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", out, out],
      env: serverEnv(),
    },
  );
  fs.closeSync(out);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`next dev exited with ${child.exitCode}:\n${tail(LOG)}`);
    try {
      const res = await fetch(`${APP_URL}/signup`, {
        signal: AbortSignal.timeout(Math.max(1_000, deadline - Date.now())),
      });
      await res.arrayBuffer();
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stopProcessGroup(child);
  throw new Error(
    `next dev did not answer ${APP_URL}/signup within ${READY_TIMEOUT_MS / 1000} s:\n${tail(LOG)}`,
  );
}

/**
 * The pages and routes the journey opens, opened once before it starts so `next dev` compiles them (server and
 * browser code) now rather than under the fixtures' 10 s waits: first signed out, then as the demo trader (signed
 * out, the proxy answers some with a redirect before their code is compiled).
 */
const WARM_UP = [
  "/signup",
  "/dashboard",
  "/revenue",
  "/settings",
  "/signals",
  "/copy",
  "/providers/momentum-desk",
  "/subscriptions/welcome",
  "/dev/stripe/onboarding/acct_warmup",
  "/dev/stripe/checkout/cs_test_warmup",
  "/settings/channels/chn_warmup",
];

async function warmUp(browser: Browser): Promise<void> {
  for (const route of [
    "/signin",
    "/signup",
    "/api/trpc/channels.list",
    "/api/auth/session",
  ]) {
    const res = await fetch(`${APP_URL}${route}`, {
      redirect: "manual",
      signal: AbortSignal.timeout(120_000),
    }).catch(() => null);
    await res?.arrayBuffer().catch(() => null);
  }
  const ctx = await browser.newContext({ baseURL: APP_URL });
  try {
    const page = await ctx.newPage();
    page.setDefaultNavigationTimeout(120_000);
    await page.goto("/signin");
    await page.getByRole("textbox", { name: "Email" }).fill(DEMO.trader.email);
    await page
      .getByLabel("Password", { exact: true })
      .fill(DEMO.trader.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL((url) => url.pathname === "/dashboard", {
      timeout: 120_000,
    });
    for (const route of WARM_UP)
      await page.goto(route, { waitUntil: "load" }).catch(() => null);
  } finally {
    await ctx.close();
  }
}

let server: ChildProcess | null = null;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(READY_TIMEOUT_MS + 420_000);
  await receiver.start();
  await discord.start();
  server = await startServer();
  await warmUp(browser);
});

test.afterAll(async () => {
  await stopProcessGroup(server);
  await receiver.stop();
  await discord.stop();
});

test.use({
  baseURL: APP_URL,
  navigationTimeout: 120_000,
  actionTimeout: 60_000,
});

const channelsCard = (page: Page) => page.locator("#channels");
const destination = (page: Page, label: string) =>
  channelsCard(page)
    .getByRole("list", { name: "Your destinations" })
    .getByRole("listitem", { name: label, exact: true });

test("a trader's Discord webhook and signed webhook endpoint: refused URLs, a secret shown once, test messages, a published signal with levels, the delivery log, redelivery, and no one else's log", async ({
  browser,
}) => {
  test.setTimeout(600_000);
  const providerCtx = await browser.newContext();
  const traderCtx = await browser.newContext();
  const provider = await providerCtx.newPage();
  const trader = await traderCtx.newPage();
  const providerAccount = newAccount("provider");
  let secret = "";
  let logUrl = "";

  await test.step("a provider opens paid subscriptions and a trader subscribes", async () => {
    await signUp(provider, providerAccount);
    const profile =
      (await provider
        .getByRole("link", { name: "View public profile" })
        .getAttribute("href")) ?? "";
    expect(profile).toMatch(/^\/providers\//);
    await openPaidSubscriptions(provider);
    await signUp(trader, newAccount("trader"));
    await subscribeWithCard(trader, profile);
  });

  await test.step("Settings → Notification channels starts empty", async () => {
    await trader.goto("/settings#channels");
    await expect(
      channelsCard(trader).getByRole("heading", {
        name: "Notification channels",
      }),
    ).toBeVisible(SLOW);
    await expect(
      channelsCard(trader).getByText("No destinations yet"),
    ).toBeVisible();
  });

  await test.step("a URL that is not Discord's is refused with the reason; a Discord webhook URL is added", async () => {
    const card = channelsCard(trader);
    await card
      .getByRole("group", { name: "Add a destination" })
      .getByRole("button", { name: "Add Discord webhook" })
      .click();
    const form = card.getByRole("form", { name: "Add a Discord webhook" });
    await form.getByRole("textbox", { name: "Name" }).fill("Trading desk");
    await form
      .getByRole("textbox", { name: "Discord webhook URL" })
      .fill(`https://example.com/api/webhooks/${DISCORD_ID}/${DISCORD_TOKEN}`);
    await form.getByRole("button", { name: "Add Discord webhook" }).click();
    await expect(form.getByText("That is not a Discord address")).toBeVisible(
      SLOW,
    );
    await expect(card.getByText("No destinations yet")).toBeVisible();

    await form
      .getByRole("textbox", { name: "Discord webhook URL" })
      .fill(`https://discord.com/api/webhooks/${DISCORD_ID}/${DISCORD_TOKEN}`);
    await form.getByRole("button", { name: "Add Discord webhook" }).click();
    const row = destination(trader, "Trading desk");
    await expect(row).toBeVisible(SLOW);
    await expect(row).toContainText("Discord");
    await expect(row).toContainText("Active");
    // Shown as a hint: the token's first characters only.
    await expect(row).not.toContainText(DISCORD_TOKEN);
  });

  await test.step("an http://10.0.0.5 endpoint is refused with the reason; the fake receiver's endpoint is added and its secret shown once", async () => {
    const card = channelsCard(trader);
    await card
      .getByRole("group", { name: "Add a destination" })
      .getByRole("button", { name: "Add webhook endpoint" })
      .click();
    const form = card.getByRole("form", { name: "Add a webhook endpoint" });
    await form.getByRole("textbox", { name: "Name" }).fill("My bot");
    await form
      .getByRole("textbox", { name: "Endpoint URL" })
      .fill("http://10.0.0.5/hooks/tradsy");
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await expect(
      form.getByText(/Refused: 10\.0\.0\.5 is .*private/),
    ).toBeVisible(SLOW);
    await expect(destination(trader, "My bot")).toHaveCount(0);

    await form
      .getByRole("textbox", { name: "Endpoint URL" })
      .fill(`http://127.0.0.1:${RECEIVER_PORT}/hooks/tradsy`);
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await expect(
      card.getByText(
        "Signing secret of “My bot”. Copy it now: it will not be shown again.",
      ),
    ).toBeVisible(SLOW);
    secret = (
      (await card.getByTestId("webhook-secret").textContent()) ?? ""
    ).trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    await expect(destination(trader, "My bot")).toContainText("Webhook");

    await trader.reload();
    await expect(destination(trader, "My bot")).toBeVisible(SLOW);
    await expect(trader.getByTestId("webhook-secret")).toHaveCount(0);
    expect(await trader.content()).not.toContain(secret);
  });

  await test.step("“Send a test message” reaches the endpoint signed with that secret, and the Discord webhook as an embed", async () => {
    const bot = destination(trader, "My bot");
    await bot.getByRole("button", { name: "Send a test message" }).click();
    await expect(bot.getByText("Test message queued")).toBeVisible(SLOW);
    await expect
      .poll(() => receiver.of("test").length, { timeout: 60_000 })
      .toBe(1);
    const test1 = receiver.of("test")[0]!;
    expect(test1.path).toBe("/hooks/tradsy");
    expect(test1.headers["content-type"]).toMatch(/^application\/json/);
    expect(test1.headers["user-agent"]).toBe("Tradsy-Webhooks/1");
    expect(test1.headers["tradsy-webhook-id"]).toBe(test1.json.id);
    expect(
      verifySignature(
        secret,
        test1.rawBody,
        test1.headers["tradsy-signature"] ?? "",
      ),
    ).toMatchObject({ ok: true });
    // Another secret does not verify it.
    expect(
      verifySignature(
        `whsec_${"A".repeat(43)}`,
        test1.rawBody,
        test1.headers["tradsy-signature"] ?? "",
      ),
    ).toMatchObject({ ok: false, reason: "mismatch" });

    const desk = destination(trader, "Trading desk");
    await desk.getByRole("button", { name: "Send a test message" }).click();
    await expect(desk.getByText("Test message queued")).toBeVisible(SLOW);
    await expect
      .poll(() => discord.requests.length, { timeout: 60_000 })
      .toBe(1);
    const posted = discord.requests[0]!;
    expect(posted.path).toBe(
      `/api/webhooks/${DISCORD_ID}/${DISCORD_TOKEN}?wait=true`,
    );
    expect(posted.json.allowed_mentions).toEqual({ parse: [] });
    expect(posted.json.embeds?.length).toBe(1);
  });

  await test.step("the provider publishes: both destinations get the signal with its levels (the trader is entitled)", async () => {
    await publishSignal(provider, "e2e channels");
    await expect
      .poll(() => receiver.of("signal.published").length, { timeout: 90_000 })
      .toBe(1);
    const got = receiver.of("signal.published")[0]!;
    expect(
      verifySignature(
        secret,
        got.rawBody,
        got.headers["tradsy-signature"] ?? "",
      ),
    ).toMatchObject({ ok: true });
    const data = got.json.data!;
    expect(data.provider.name).toBe(providerAccount.name);
    expect(data.entitled).toBe(true);
    expect(data.signal).toMatchObject({ symbol: "BTC/USDT", side: "long" });
    const stopLoss = data.signal.levels?.stopLoss ?? "";
    expect(stopLoss).toMatch(/^\d+(\.\d+)?$/);
    expect(data.signal.levels?.takeProfits).toHaveLength(1);

    await expect
      .poll(() => discord.requests.length, { timeout: 60_000 })
      .toBe(2);
    const [embed] = discord.requests[1]!.json.embeds ?? [];
    expect(embed!.footer.text).toContain("signal.published");
    expect(JSON.stringify(embed)).toContain(providerAccount.name);
    expect(JSON.stringify(embed)).toContain("BTC/USDT");
    // The levels, as the embed prints them (thousands grouped): the stop is there for an entitled subscriber.
    const stop = embed!.fields.find((f) => f.name === "Stop")?.value ?? "";
    expect(Number(stop.replaceAll(",", ""))).toBe(Number(stopLoss));
  });

  await test.step("the endpoint's delivery log lists it sent with HTTP 200; Redeliver sends it again with the same event id", async () => {
    await trader.goto("/settings#channels");
    await destination(trader, "My bot")
      .getByRole("link", { name: "Delivery log" })
      .click();
    await expect(trader).toHaveURL(
      /\/settings\/channels\/chn_[A-Za-z0-9]+$/,
      SLOW,
    );
    logUrl = new URL(trader.url()).pathname;
    await expect(
      trader.getByRole("heading", { name: "Deliveries to My bot" }),
    ).toBeVisible(SLOW);
    const published = trader
      .getByTestId("delivery-row")
      .filter({ hasText: "signal.published" });
    await expect(published).toHaveCount(1);
    await expect(published).toContainText("sent");
    await expect(published).toContainText("HTTP 200 · 1 attempt");
    await expect(
      trader.getByTestId("delivery-row").filter({ hasText: "test" }).first(),
    ).toContainText("HTTP 200");

    const first = receiver.of("signal.published")[0]!;
    await published.getByRole("button", { name: "Redeliver" }).click();
    await expect(
      published.getByText("Queued again, with the same event id."),
    ).toBeVisible(SLOW);
    await expect
      .poll(() => receiver.of("signal.published").length, { timeout: 60_000 })
      .toBe(2);
    const again = receiver.of("signal.published")[1]!;
    expect(again.headers["tradsy-webhook-id"]).toBe(
      first.headers["tradsy-webhook-id"],
    );
    expect(again.headers["tradsy-delivery-id"]).not.toBe(
      first.headers["tradsy-delivery-id"],
    );
    expect(again.json).toEqual(first.json);
    expect(
      verifySignature(
        secret,
        again.rawBody,
        again.headers["tradsy-signature"] ?? "",
      ),
    ).toMatchObject({ ok: true });

    // The log, read again while the redelivery is on its way, shows it sent too.
    const redelivery = trader
      .getByTestId("delivery-row")
      .filter({ hasText: "signal.published" })
      .filter({ hasText: "Redelivery" });
    await expect(redelivery).toContainText("HTTP 200", { timeout: 30_000 });
  });

  await test.step("another account opening that delivery log gets a 404", async () => {
    const res = await provider.goto(logUrl);
    expect(res?.status()).toBe(404);
    await expect(provider.getByText("Deliveries to My bot")).toHaveCount(0);
    expect(await provider.content()).not.toContain("signal.published");
  });

  await providerCtx.close();
  await traderCtx.close();
});
