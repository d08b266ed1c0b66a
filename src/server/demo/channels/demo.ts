/**
 * The offline channels demo (`npm run demo:channels`, issue 16): the local fake Discord webhook endpoint, the fake
 * Telegram Bot API and the fake webhook receiver, each reachable on a fixed 127.0.0.1 port so the env lines printed
 * once keep working across restarts, plus the state the web console (./console.ts) shows and drives: the chats a
 * pretend Telegram user writes from, and the receiver's scripted failures.
 *
 * The fakes listen on a free port of their own (they are test fixtures); a small pass-through proxy on the fixed port
 * forwards every request to them unchanged, so the app talks to the fakes exactly as tests do.
 *
 * INVARIANT: nothing here leaves 127.0.0.1: every server binds to the loopback address only.
 * INVARIANT: Telegram update ids grow across restarts of the demo (the app's poller asks getUpdates for ids above the
 * last one it handled, so a restarted fake counting from its fixed first id again would be ignored).
 */
import "server-only";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FakeDiscordServer } from "@/server/integrations/discord/fake-server";
import type { TelegramChat } from "@/server/integrations/telegram/bot-api";
import { FakeTelegramServer } from "@/server/integrations/telegram/fake-server";
import { FakeWebhookReceiver } from "@/server/integrations/webhooks/fake-receiver";

export const DEMO_HOST = "127.0.0.1";

export interface DemoPorts {
  console: number;
  discord: number;
  telegram: number;
  webhooks: number;
}

/** Ports 4610–4613: clear of Next (3000), the e2e servers (31xx) and PostgreSQL. */
export const DEFAULT_DEMO_PORTS: DemoPorts = {
  console: 4610,
  discord: 4611,
  telegram: 4612,
  webhooks: 4613,
};

/** The demo bot's token (fits TELEGRAM_BOT_TOKEN's format; only the fake knows it). */
export const DEMO_TELEGRAM_TOKEN =
  "7000000001:AAF-tradsy-offline-demo-bot-token";
export const DEMO_TELEGRAM_USERNAME = "tradsy_demo_bot";
/** The demo's Discord webhook: the same URL on every run, so a destination saved in the app keeps working. */
export const DEMO_DISCORD_WEBHOOK = {
  id: "1300000000000000001",
  token: "tradsy-offline-demo-webhook-token_do-not-use-elsewhere",
} as const;
export const DEMO_WEBHOOK_PATH = "/hooks/tradsy";

/** Something the pretend Telegram user did, as the console shows it in the chat. */
export interface UserAction {
  chatId: number;
  kind: "message" | "block";
  text: string;
  at: number;
  updateId: number;
  /** With a webhook set on the bot (the app in webhook mode): the status the app's route answered. */
  webhookStatus: number | null;
}

export class PortInUseError extends Error {}

/** A pass-through proxy on `port` to `target` (the fake's own base URL). */
async function startFront(
  target: string,
  port: number,
  name: string,
): Promise<http.Server> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", (err) => {
      if (!res.headersSent)
        res.writeHead(502, { "content-type": "text/plain; charset=utf-8" });
      res.end(`demo proxy: ${err.message}`);
    });
    req.pipe(forward);
  });
  await listenOn(server, port, name);
  return server;
}

export async function listenOn(
  server: http.Server,
  port: number,
  name: string,
): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      reject(
        err.code === "EADDRINUSE"
          ? new PortInUseError(
              `Port ${port} (${name}) is in use: stop what uses it or pick another with --${name}-port.`,
            )
          : err,
      );
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, DEMO_HOST);
  });
  return (server.address() as AddressInfo).port;
}

export function closeHttp(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    // The app's getUpdates long polls stay open for seconds: drop them so stopping is immediate.
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export class ChannelsDemo {
  readonly discord = new FakeDiscordServer();
  // INVARIANT (header): tenths of a second since 2025 stay above any id an earlier run handed out (a run would need
  // over 10 updates a second to catch up) and below 2^31 until 2031.
  readonly telegram = new FakeTelegramServer({
    token: DEMO_TELEGRAM_TOKEN,
    username: DEMO_TELEGRAM_USERNAME,
    firstUpdateId: Math.floor((Date.now() - Date.UTC(2025, 0, 1)) / 100),
  });
  readonly receiver = new FakeWebhookReceiver();
  /** The chats the pretend users write from, in creation order. */
  readonly chats: TelegramChat[] = [];
  readonly userActions: UserAction[] = [];
  /** Blocked chats (the bot was blocked or removed). */
  readonly blocked = new Set<number>();
  /** A secret pasted in the console to check the receiver's signatures (never sent anywhere). */
  webhookSecret: string | null = null;
  ports: DemoPorts = { ...DEFAULT_DEMO_PORTS };
  private fronts: http.Server[] = [];
  /** Requests up to this index of receiver.requests are answered by a scripted failure (each consumes one, in order). */
  private scriptedUntil = 0;

  /** Starts the three fakes behind their fixed ports (the console is started by ./console.ts). */
  async start(ports: Omit<DemoPorts, "console">): Promise<void> {
    const discordTarget = await this.discord.start();
    const telegramTarget = await this.telegram.start();
    const receiverTarget = await this.receiver.start();
    try {
      const discord = await startFront(discordTarget, ports.discord, "discord");
      this.fronts.push(discord);
      const telegram = await startFront(
        telegramTarget,
        ports.telegram,
        "telegram",
      );
      this.fronts.push(telegram);
      const webhooks = await startFront(
        receiverTarget,
        ports.webhooks,
        "webhook",
      );
      this.fronts.push(webhooks);
      const port = (s: http.Server) => (s.address() as AddressInfo).port;
      this.ports = {
        ...this.ports,
        discord: port(discord),
        telegram: port(telegram),
        webhooks: port(webhooks),
      };
    } catch (err) {
      await this.stop();
      throw err;
    }

    // The same Discord webhook URL on every run (see DEMO_DISCORD_WEBHOOK).
    this.discord.addWebhook(
      DEMO_DISCORD_WEBHOOK.id,
      DEMO_DISCORD_WEBHOOK.token,
    );
    // The fake numbers chats in creation order, so these two keep their ids across restarts (a linked chat stays linked).
    this.addChat("private", "Ann", "ann_trades");
    this.addChat("group", "Signals desk");
  }

  async stop(): Promise<void> {
    await Promise.all(this.fronts.map(closeHttp));
    this.fronts = [];
    await Promise.all([
      this.discord.stop(),
      this.telegram.stop(),
      this.receiver.stop(),
    ]);
  }

  url(kind: keyof DemoPorts): string {
    return `http://${DEMO_HOST}:${this.ports[kind]}`;
  }

  /** What to paste in Settings as the Discord webhook URL (the app moves it to DISCORD_API_BASE_URL). */
  get discordWebhookUrl(): string {
    return `https://discord.com/api/webhooks/${DEMO_DISCORD_WEBHOOK.id}/${DEMO_DISCORD_WEBHOOK.token}`;
  }

  get webhookUrl(): string {
    return `${this.url("webhooks")}${DEMO_WEBHOOK_PATH}`;
  }

  /** The env lines that point the app at the fakes (polling mode: no TELEGRAM_WEBHOOK_SECRET). */
  envLines(): string[] {
    return [
      `TELEGRAM_BOT_TOKEN=${DEMO_TELEGRAM_TOKEN}`,
      `TELEGRAM_API_BASE_URL=${this.url("telegram")}`,
      `DISCORD_API_BASE_URL=${this.url("discord")}`,
      `OUTBOUND_URL_ALLOWLIST=${[this.ports.discord, this.ports.telegram, this.ports.webhooks].map((p) => `${DEMO_HOST}:${p}`).join(",")}`,
    ];
  }

  addChat(
    type: "private" | "group",
    name: string,
    username?: string,
  ): TelegramChat {
    const chat =
      type === "private"
        ? this.telegram.privateChat(name, username)
        : this.telegram.groupChat(name);
    this.chats.push(chat);
    return chat;
  }

  chat(chatId: number): TelegramChat | undefined {
    return this.chats.find((c) => c.id === chatId);
  }

  /** The pretend user writes to the bot: queued for getUpdates (or POSTed to the app's webhook when one is set). */
  async userSends(chatId: number, text: string): Promise<UserAction> {
    const chat = this.requireChat(chatId);
    const { update, webhookStatus } = await this.telegram.userSends(chat, text);
    const action: UserAction = {
      chatId,
      kind: "message",
      text,
      at: Date.now(),
      updateId: update.update_id,
      webhookStatus,
    };
    this.userActions.push(action);
    return action;
  }

  /** The pretend user blocks the bot (a group removes it): later sends to the chat answer 403. */
  async block(chatId: number): Promise<UserAction> {
    const chat = this.requireChat(chatId);
    const { update, webhookStatus } = await this.telegram.block(
      chat,
      chat.type === "private" ? "kicked" : "left",
    );
    this.blocked.add(chatId);
    const text =
      chat.type === "private"
        ? "blocked the bot"
        : "removed the bot from the group";
    const action: UserAction = {
      chatId,
      kind: "block",
      text,
      at: Date.now(),
      updateId: update.update_id,
      webhookStatus,
    };
    this.userActions.push(action);
    return action;
  }

  /** The receiver answers the next `count` requests with `status` (after any failures already scheduled). */
  failNextWebhooks(count: number, status: number): void {
    this.receiver.respond({
      status,
      body: `demo: scripted failure (${status})`,
      times: count,
    });
    this.scriptedUntil =
      Math.max(this.scriptedUntil, this.receiver.requests.length) + count;
  }

  /** Scripted failures not yet used. */
  get pendingWebhookFailures(): number {
    return Math.max(0, this.scriptedUntil - this.receiver.requests.length);
  }

  clearWebhooks(): void {
    this.receiver.reset();
    this.scriptedUntil = 0;
  }

  private requireChat(chatId: number): TelegramChat {
    const chat = this.chat(chatId);
    if (!chat) throw new Error(`No chat ${chatId} in the demo.`);
    return chat;
  }
}
