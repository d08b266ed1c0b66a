/**
 * Linking Telegram chats to accounts, and everything the bot hears back (issue 16).
 *
 * - `startTelegramLink`: a pending destination with a one-time code (stored as its sha256, valid 15 minutes) and the
 *   deep link https://t.me/<bot>?start=<code> (a group: ?startgroup=<code>); the person sends `/start <code>` to the
 *   bot from the chat they want the alerts in.
 * - `handleTelegramUpdate`: one update from the bot webhook or `getUpdates`, applied once (its update_id is recorded
 *   in `telegram_updates` in the transaction of its effects). `/start <code>` links the chat; `/stop`, or the bot
 *   being blocked or removed (my_chat_member kicked/left), unlinks it from Telegram's side (the destination is
 *   disabled, its queued deliveries cancelled; in a group or channel only `/stop@<bot>`, as a bare /stop may be meant for
 *   another bot); anything else in a private chat gets a short help reply (nothing is answered in groups). Replies are
 *   sent after the commit, best effort (a reply that fails is logged; the update stays handled).
 * - `unlinkTelegram`: the owner removes it from the app; the chat is told.
 * - Updates arrive by webhook (`answerTelegramWebhook`, the /api/webhooks/telegram route) when the app has a public
 *   https APP_URL and TELEGRAM_WEBHOOK_SECRET is set (`telegramMode()` "webhook": the telegram-poll job registers the
 *   webhook with setWebhook), and by long polling (`pollTelegramUpdates`, the telegram-poll job) otherwise.
 *
 * INVARIANT: a chat is linked only by the code's owner's pending destination and only while the code is valid; the
 * code itself is never stored.
 */
import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, count, desc, eq, gt, lt, ne } from "drizzle-orm";
import type { Logger } from "pino";
import { env } from "@/env";
import { db } from "@/server/db";
import { notificationChannels, telegramUpdates } from "@/server/db/schema";
import { ConflictError, LimitExceededError, NotFoundError } from "@/server/errors";
import { checkOutboundUrl } from "@/server/http/safe-fetch";
import { TelegramApiError, telegramBotFromEnv, type TelegramBot, type TelegramChat, type TelegramUpdate } from "@/server/integrations/telegram/bot-api";
import { logger } from "@/server/logger";
import { emailsQueued } from "@/server/services/email/delivery";
import { disableChannel } from "./disable";
import { DEFAULT_CHANNEL_EVENTS } from "./events";

export const LINK_CODE_TTL_MS = 15 * 60_000;
/** Links waiting for their `/start` at once, per account (each click on "Link Telegram" makes one). */
export const MAX_PENDING_LINKS = 5;
/** Handled update ids are kept this long (Telegram gives up redelivering an update after 24 h). */
export const TELEGRAM_UPDATES_KEPT_MS = 7 * 24 * 60 * 60_000;
/**
 * After a week without updates Telegram picks the next update_id at random (it may be lower than the last): when the
 * newest handled update is older than this, the poller asks without an offset (`telegramPollOffset`).
 */
export const TELEGRAM_OFFSET_STALE_MS = 6 * 24 * 60 * 60_000;
export const TELEGRAM_WEBHOOK_PATH = "/api/webhooks/telegram";

export type TelegramMode = "off" | "webhook" | "polling";

/**
 * off: no bot token. webhook: TELEGRAM_WEBHOOK_SECRET is set and APP_URL is https on a public name (Telegram can reach
 * it). polling: anything else with a token (development, a private network).
 */
export function telegramMode(): TelegramMode {
  if (!env.TELEGRAM_BOT_TOKEN) return "off";
  if (!env.TELEGRAM_WEBHOOK_SECRET || !env.APP_URL?.startsWith("https://")) return "polling";
  try {
    checkOutboundUrl(env.APP_URL);
    return "webhook";
  } catch {
    return "polling";
  }
}

const hashCode = (code: string): string => createHash("sha256").update(code).digest("hex");

function requireBot(bot?: TelegramBot | null): TelegramBot {
  const found = bot ?? telegramBotFromEnv();
  if (!found) throw new ConflictError("Telegram is not set up on this server (TELEGRAM_BOT_TOKEN is unset)");
  return found;
}

export interface TelegramLinkStart {
  channelId: string;
  /** Shown to the person (they may type `/start <code>` themselves). */
  code: string;
  /** Opens the bot's private chat with the code filled in. */
  deepLink: string;
  /** Opens Telegram's "add to group" picker with the code. */
  groupLink: string;
  expiresAt: Date;
}

/** A pending Telegram destination for `userId` and its one-time code. Throws ConflictError when no bot is configured. */
export async function startTelegramLink(userId: string, options: { label?: string; now?: Date; bot?: TelegramBot } = {}): Promise<TelegramLinkStart> {
  const bot = requireBot(options.bot);
  const now = options.now ?? new Date();
  // The bot's @username is Telegram's to say (it can be changed with @BotFather); asked before anything is written.
  const me = await bot.getMe();
  if (!me.username) throw new ConflictError("The Telegram bot has no username: set one with @BotFather");
  // 16 characters of A-Z a-z 0-9 _ -: what a t.me start parameter allows (at most 64).
  const code = randomBytes(12).toString("base64url");
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  const channelId = await db.transaction(async (tx) => {
    // Codes that ran out are of no use: their pending destinations go.
    await tx
      .delete(notificationChannels)
      .where(and(eq(notificationChannels.userId, userId), eq(notificationChannels.kind, "telegram"), eq(notificationChannels.status, "pending"), lt(notificationChannels.linkCodeExpiresAt, now)));
    const [pending] = await tx
      .select({ n: count() })
      .from(notificationChannels)
      .where(and(eq(notificationChannels.userId, userId), eq(notificationChannels.kind, "telegram"), eq(notificationChannels.status, "pending")));
    if ((pending?.n ?? 0) >= MAX_PENDING_LINKS) {
      throw new LimitExceededError(`You have ${MAX_PENDING_LINKS} Telegram links waiting for their /start code: use one, or try again once they expire (15 minutes).`);
    }
    const [row] = await tx
      .insert(notificationChannels)
      .values({
        userId,
        kind: "telegram",
        purpose: "alerts",
        label: options.label?.trim() || "Telegram",
        status: "pending",
        linkCodeHash: hashCode(code),
        linkCodeExpiresAt: expiresAt,
        events: [...DEFAULT_CHANNEL_EVENTS],
      })
      .returning({ id: notificationChannels.id });
    return row!.id;
  });
  return {
    channelId,
    code,
    deepLink: `https://t.me/${me.username}?start=${code}`,
    groupLink: `https://t.me/${me.username}?startgroup=${code}`,
    expiresAt,
  };
}

function chatName(chat: TelegramChat): string {
  if (chat.title) return chat.title;
  if (chat.username) return `@${chat.username}`;
  return [chat.first_name, chat.last_name].filter(Boolean).join(" ") || String(chat.id);
}

export const TELEGRAM_REPLIES = {
  linked: (label: string) => `Linked: this chat now receives your Tradsy alerts ("${label}"). Send /stop to unlink it.`,
  badCode: "That link code is unknown or has expired. In Tradsy, open Settings → Notification channels and choose Link Telegram again.",
  help: "To get Tradsy alerts here, open Settings → Notification channels in Tradsy, choose Link Telegram, and send the /start code it shows. /stop unlinks this chat.",
  stopped: "Unlinked: this chat receives no more Tradsy alerts.",
  notLinked: "This chat is not linked to Tradsy.",
  unlinkedFromApp: (label: string) => `This chat was unlinked from Tradsy ("${label}"): its alerts stop here.`,
} as const;

export type TelegramUpdateAction = "duplicate" | "linked" | "bad-code" | "unlinked" | "not-linked" | "help" | "ignored";

export interface TelegramUpdateResult {
  action: TelegramUpdateAction;
  /** Destinations linked or unlinked. */
  channelIds: string[];
}

interface Effects {
  action: TelegramUpdateAction;
  channelIds: string[];
  reply: string | null;
  emails: boolean;
}

/** `/cmd`, `/cmd@bot args`; null when the text is not a command. */
function parseCommand(text: string): { command: string; bot: string | null; args: string } | null {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  return m ? { command: m[1]!.toLowerCase(), bot: m[2] ?? null, args: (m[3] ?? "").trim() } : null;
}

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

async function unlinkChat(tx: Tx, chat: TelegramChat, reason: string, now: Date): Promise<string[]> {
  const rows = await tx
    .select({ id: notificationChannels.id })
    .from(notificationChannels)
    .where(and(eq(notificationChannels.kind, "telegram"), eq(notificationChannels.telegramChatId, String(chat.id)), ne(notificationChannels.status, "disabled")));
  const done: string[] = [];
  for (const { id } of rows) {
    // In a group, someone other than the owner may have removed the bot: the owner is told by email. In a private
    // chat the person who blocked the bot or sent /stop is the one who linked it: no email about their own act.
    if (await disableChannel(tx, id, reason, now, { notify: chat.type !== "private" })) done.push(id);
  }
  return done;
}

async function applyUpdate(update: TelegramUpdate, botUsername: string | null, now: Date): Promise<Effects> {
  return db.transaction(async (tx): Promise<Effects> => {
    const fresh = await tx.insert(telegramUpdates).values({ updateId: update.update_id }).onConflictDoNothing().returning({ id: telegramUpdates.updateId });
    if (!fresh.length) return { action: "duplicate", channelIds: [], reply: null, emails: false };
    const nothing: Effects = { action: "ignored", channelIds: [], reply: null, emails: false };

    const member = update.my_chat_member;
    if (member) {
      if (member.new_chat_member.status !== "kicked" && member.new_chat_member.status !== "left") return nothing;
      const reason = member.chat.type === "private" ? "Unlinked from Telegram: the bot was blocked" : "Unlinked from Telegram: the bot was removed from the chat";
      const ids = await unlinkChat(tx, member.chat, reason, now);
      return { action: ids.length ? "unlinked" : "not-linked", channelIds: ids, reply: null, emails: ids.length > 0 && member.chat.type !== "private" };
    }

    const message = update.message ?? update.channel_post;
    if (!message?.text) return nothing;
    const chat = message.chat;
    const command = parseCommand(message.text);
    // A command addressed to another bot in a group (/start@other_bot) is not ours.
    if (command?.bot && botUsername && command.bot.toLowerCase() !== botUsername.toLowerCase()) return nothing;
    if (!command) return chat.type === "private" ? { ...nothing, action: "help", reply: TELEGRAM_REPLIES.help } : nothing;

    if (command.command === "start" && command.args) {
      const [pending] = await tx
        .select()
        .from(notificationChannels)
        .where(and(eq(notificationChannels.linkCodeHash, hashCode(command.args)), eq(notificationChannels.status, "pending"), gt(notificationChannels.linkCodeExpiresAt, now)))
        .for("update");
      if (!pending) return { action: "bad-code", channelIds: [], reply: TELEGRAM_REPLIES.badCode, emails: false };
      const linked = { status: "active" as const, telegramChatId: String(chat.id), telegramChatName: chatName(chat), linkCodeHash: null, linkCodeExpiresAt: null, failingSince: null, disabledAt: null, disabledReason: null };
      // The same account linking the same chat again (after /stop, say) revives that destination, keeping its choices.
      const [existing] = await tx
        .select({ id: notificationChannels.id, label: notificationChannels.label })
        .from(notificationChannels)
        .where(and(eq(notificationChannels.userId, pending.userId), eq(notificationChannels.telegramChatId, String(chat.id))));
      if (existing) {
        await tx.delete(notificationChannels).where(eq(notificationChannels.id, pending.id));
        await tx.update(notificationChannels).set(linked).where(eq(notificationChannels.id, existing.id));
        return { action: "linked", channelIds: [existing.id], reply: TELEGRAM_REPLIES.linked(existing.label), emails: false };
      }
      await tx.update(notificationChannels).set(linked).where(eq(notificationChannels.id, pending.id));
      return { action: "linked", channelIds: [pending.id], reply: TELEGRAM_REPLIES.linked(pending.label), emails: false };
    }
    // In a group (or channel) a bare /stop may be meant for another bot (Telegram delivers bare commands to every bot,
    // privacy mode or not): only `/stop@<this bot>` unlinks there. Other commands there are not answered (noise).
    const privateChat = chat.type === "private";
    const toUs = command.bot !== null && botUsername !== null && command.bot.toLowerCase() === botUsername.toLowerCase();
    if (command.command === "stop" && (privateChat || toUs)) {
      const ids = await unlinkChat(tx, chat, "Unlinked from Telegram (/stop)", now);
      return { action: ids.length ? "unlinked" : "not-linked", channelIds: ids, reply: ids.length ? TELEGRAM_REPLIES.stopped : TELEGRAM_REPLIES.notLinked, emails: ids.length > 0 && chat.type !== "private" };
    }
    return privateChat ? { ...nothing, action: "help", reply: TELEGRAM_REPLIES.help } : nothing;
  });
}

/** The chat an update came from (to reply in). */
function chatOf(update: TelegramUpdate): TelegramChat | null {
  return update.message?.chat ?? update.channel_post?.chat ?? update.my_chat_member?.chat ?? null;
}

/** A plain-text message to a chat, best effort: a failure is logged, never thrown (the change it reports is committed). */
async function tell(bot: TelegramBot, chatId: number | string, text: string, log: Logger, context: Record<string, unknown>): Promise<void> {
  try {
    const answer = await bot.sendMessage({ chat_id: chatId, text, link_preview_options: { is_disabled: true } });
    if (!answer.ok) log.warn({ ...context, status: answer.status, description: answer.description }, "telegram message refused");
  } catch (err) {
    log.warn({ ...context, err }, "telegram message failed");
  }
}

/** Applies one update (once: a redelivered update_id is a "duplicate" that changes nothing) and replies in its chat. */
export async function handleTelegramUpdate(update: TelegramUpdate, options: { bot?: TelegramBot | null; now?: Date; log?: Logger } = {}): Promise<TelegramUpdateResult> {
  const log = options.log ?? logger;
  const bot = options.bot === undefined ? telegramBotFromEnv() : options.bot;
  let username: string | null = null;
  if (bot) username = (await bot.getMe().catch(() => null))?.username ?? null;
  const effects = await applyUpdate(update, username, options.now ?? new Date());
  if (effects.emails) await emailsQueued();
  const chat = chatOf(update);
  if (effects.reply && bot && chat) {
    await tell(bot, chat.id, effects.reply, log, { updateId: update.update_id });
  }
  return { action: effects.action, channelIds: effects.channelIds };
}

/**
 * The owner removes a Telegram destination from the app: the row goes (its delivery log with it) and the chat is told
 * after the commit. `onRemoved` (the audit row) runs in the same transaction: when it fails nothing is removed.
 */
export async function unlinkTelegram(
  userId: string,
  channelId: string,
  options: { bot?: TelegramBot | null; log?: Logger; onRemoved?: (tx: Tx, removed: typeof notificationChannels.$inferSelect) => Promise<unknown> } = {},
): Promise<{ channelId: string }> {
  const removed = await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(notificationChannels)
      .where(and(eq(notificationChannels.id, channelId), eq(notificationChannels.userId, userId), eq(notificationChannels.kind, "telegram")))
      .returning();
    if (!row) throw new NotFoundError("Telegram chat not found");
    await options.onRemoved?.(tx, row);
    return row;
  });
  const bot = options.bot === undefined ? telegramBotFromEnv() : options.bot;
  if (bot && removed.telegramChatId && removed.status === "active") {
    await tell(bot, removed.telegramChatId, TELEGRAM_REPLIES.unlinkedFromApp(removed.label), options.log ?? logger, { channelId });
  }
  return { channelId };
}

// ---------------------------------------------------------------------------------------------------------------
// Receiving updates

/**
 * The 404 (not configured) or 401 (missing or wrong X-Telegram-Bot-Api-Secret-Token) a request gets before its body is
 * read; null when it may go on.
 */
export function telegramWebhookRefusal(headers: Headers): { status: number; body: Record<string, unknown> } | null {
  const secret = env.TELEGRAM_WEBHOOK_SECRET;
  if (!secret || !env.TELEGRAM_BOT_TOKEN) return { status: 404, body: { error: "Telegram webhooks are not configured on this server" } };
  const given = headers.get("x-telegram-bot-api-secret-token") ?? "";
  // Digests make the compare constant-time whatever the lengths.
  const matches = timingSafeEqual(createHash("sha256").update(given).digest(), createHash("sha256").update(secret).digest());
  if (!given || !matches) return { status: 401, body: { error: "Wrong or missing X-Telegram-Bot-Api-Secret-Token" } };
  return null;
}

/**
 * The webhook route's answer. 404 when no bot or no webhook secret is configured (the endpoint does not exist then);
 * 401 when X-Telegram-Bot-Api-Secret-Token is missing or wrong (constant-time compare); 400 for a body that is not an
 * update; 200 once applied or a duplicate; 500 when applying failed (Telegram redelivers).
 */
export async function answerTelegramWebhook(rawBody: string, headers: Headers, log: Logger = logger): Promise<{ status: number; body: Record<string, unknown> }> {
  const refused = telegramWebhookRefusal(headers);
  if (refused) return refused;
  let update: TelegramUpdate;
  try {
    update = JSON.parse(rawBody) as TelegramUpdate;
  } catch {
    return { status: 400, body: { error: "The body is not JSON" } };
  }
  if (!update || typeof update !== "object" || !Number.isSafeInteger(update.update_id) || update.update_id < 0) {
    return { status: 400, body: { error: "Not a Telegram update (no update_id)" } };
  }
  try {
    const result = await handleTelegramUpdate(update, { log });
    return { status: 200, body: { ok: true, result: result.action } };
  } catch (err) {
    log.error({ err, updateId: update.update_id }, "telegram webhook failed");
    return { status: 500, body: { error: "Update processing failed; Telegram will retry" } };
  }
}

export interface PollResult {
  polls: number;
  updates: number;
  actions: Partial<Record<TelegramUpdateAction, number>>;
}

/**
 * The offset the next getUpdates asks from: the update handled most recently (by `received_at`, not the highest id)
 * + 1; none when nothing was handled yet or the newest is older than `TELEGRAM_OFFSET_STALE_MS`. Telegram's update ids
 * are sequential, but after a week without updates the next id is chosen at random and may be lower than the last
 * one: an offset from an old id would confirm, and so discard, every new update. Without an offset Telegram answers
 * the updates not yet confirmed, and the offset then follows the ids received.
 */
export async function telegramPollOffset(now: Date = new Date()): Promise<number | undefined> {
  const [newest] = await db
    .select({ id: telegramUpdates.updateId, at: telegramUpdates.receivedAt })
    .from(telegramUpdates)
    .orderBy(desc(telegramUpdates.receivedAt), desc(telegramUpdates.updateId))
    .limit(1);
  if (!newest || now.getTime() - newest.at.getTime() > TELEGRAM_OFFSET_STALE_MS) return undefined;
  return Number(newest.id) + 1;
}

/**
 * Long polling (development, or no public URL): getUpdates from `telegramPollOffset()`, each update applied in order,
 * until `maxRunMs` has passed. An update that fails stops the run, so the next run's offset asks for it again (an
 * offset confirms, and drops, every update below it). A webhook left registered (409 Conflict) is deleted once.
 */
export async function pollTelegramUpdates(options: { bot?: TelegramBot; maxRunMs?: number; timeoutSeconds?: number; log?: Logger } = {}): Promise<PollResult> {
  const bot = requireBot(options.bot);
  const log = options.log ?? logger;
  const maxRunMs = options.maxRunMs ?? 50_000;
  const started = Date.now();
  const result: PollResult = { polls: 0, updates: 0, actions: {} };
  let deletedWebhook = false;
  // Within a run the offset follows the ids Telegram answered (also when they were all duplicates).
  let next: number | undefined;
  for (;;) {
    const left = maxRunMs - (Date.now() - started);
    const timeout = Math.max(0, Math.min(options.timeoutSeconds ?? 10, Math.floor(left / 1000)));
    const offset = next ?? (await telegramPollOffset());
    let updates: TelegramUpdate[];
    try {
      updates = await bot.getUpdates({ offset, timeout, limit: 100 });
    } catch (err) {
      // Another process is polling the same bot (Telegram ends the older request): this run leaves it to them.
      if (err instanceof TelegramApiError && err.status === 409 && /other getUpdates/i.test(err.answer?.description ?? "")) {
        log.warn("telegram: another process is polling this bot; this run stops");
        return result;
      }
      if (err instanceof TelegramApiError && err.status === 409 && !deletedWebhook) {
        log.warn("telegram: a webhook was registered while polling; deleting it");
        await bot.deleteWebhook();
        deletedWebhook = true;
        continue;
      }
      throw err;
    }
    result.polls += 1;
    for (const update of updates.sort((a, b) => a.update_id - b.update_id)) {
      const { action } = await handleTelegramUpdate(update, { bot, log });
      result.updates += 1;
      result.actions[action] = (result.actions[action] ?? 0) + 1;
      next = update.update_id + 1;
    }
    if (Date.now() - started >= maxRunMs) return result;
  }
}

/**
 * Forgets handled update ids older than `TELEGRAM_UPDATES_KEPT_MS`, keeping the one handled most recently (what
 * `telegramPollOffset` reads). Called by the telegram-poll job.
 */
export async function pruneTelegramUpdates(now: Date = new Date()): Promise<number> {
  const [newest] = await db.select({ id: telegramUpdates.updateId }).from(telegramUpdates).orderBy(desc(telegramUpdates.receivedAt), desc(telegramUpdates.updateId)).limit(1);
  if (!newest) return 0;
  const gone = await db
    .delete(telegramUpdates)
    .where(and(lt(telegramUpdates.receivedAt, new Date(now.getTime() - TELEGRAM_UPDATES_KEPT_MS)), ne(telegramUpdates.updateId, Number(newest.id))))
    .returning({ id: telegramUpdates.updateId });
  return gone.length;
}

/**
 * Deletes Telegram links whose code ran out unused (pending destinations past `link_code_expires_at`): they would
 * otherwise wait forever (a new link by the same account clears only that account's). Called by the telegram-poll job.
 */
export async function pruneExpiredTelegramLinks(now: Date = new Date()): Promise<number> {
  const gone = await db
    .delete(notificationChannels)
    .where(and(eq(notificationChannels.kind, "telegram"), eq(notificationChannels.status, "pending"), lt(notificationChannels.linkCodeExpiresAt, now)))
    .returning({ id: notificationChannels.id });
  return gone.length;
}

let registered: string | null = null;

/**
 * Webhook mode: registers APP_URL/api/webhooks/telegram with TELEGRAM_WEBHOOK_SECRET as `secret_token` (once per
 * process and setting; setWebhook is idempotent, so a restart just says it again). Called by the telegram-poll job.
 */
export async function ensureTelegramWebhook(options: { bot?: TelegramBot } = {}): Promise<{ url: string; changed: boolean }> {
  const bot = requireBot(options.bot);
  const secret = env.TELEGRAM_WEBHOOK_SECRET;
  if (!secret || !env.APP_URL) throw new ConflictError("Telegram webhook mode needs APP_URL and TELEGRAM_WEBHOOK_SECRET");
  const url = `${env.APP_URL.replace(/\/+$/, "")}${TELEGRAM_WEBHOOK_PATH}`;
  const key = `${url} ${createHash("sha256").update(secret).digest("hex")}`;
  if (registered === key) return { url, changed: false };
  await bot.setWebhook({ url, secret_token: secret });
  registered = key;
  return { url, changed: true };
}

/** Tests: forget which webhook this process registered. */
export function resetTelegramWebhookMemo(): void {
  registered = null;
}
