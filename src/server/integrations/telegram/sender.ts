import "server-only";
import type { ChannelSender, SendOutcome } from "@/server/integrations/channels/types";
import { TelegramApiError, telegramBotFromEnv } from "./bot-api";

/**
 * Sends one stored Telegram message (telegramMessage's parameters) to a destination's linked chat with sendMessage,
 * and classifies Telegram's answer for the drain:
 * - ok: sent;
 * - 429: retry after `parameters.retry_after` seconds;
 * - 403 (the bot was blocked by the user, kicked from the group, or is not in the chat) and 400 "chat not found":
 *   the chat is gone for the bot: the destination is disabled with Telegram's words;
 * - 400 with `migrate_to_chat_id` (a group upgraded to a supergroup): disabled too, asking to link it again (the new
 *   chat has a new id, and linking is how a chat is proven to be the owner's);
 * - other 400s (e.g. "can't parse entities"): this message is refused (non-retryable);
 * - 401 (a wrong or revoked bot token), 5xx, no answer, and no bot configured: retried (an operator can fix them
 *   before the delivery expires).
 */
export const sendTelegram: ChannelSender = async (target, payload): Promise<SendOutcome> => {
  const bot = telegramBotFromEnv();
  if (!bot) return { ok: false, status: null, error: "Telegram is not configured on this server (TELEGRAM_BOT_TOKEN is unset)", retryable: true };
  if (!target.telegramChatId) return { ok: false, status: null, error: "No Telegram chat is linked to this destination", retryable: false };
  let answer;
  try {
    answer = await bot.sendMessage({ ...payload, chat_id: target.telegramChatId, text: String(payload.text ?? "") });
  } catch (err) {
    if (err instanceof TelegramApiError) return { ok: false, status: null, error: err.message, retryable: true };
    throw err;
  }
  const { status, body } = answer;
  if (answer.ok) return { ok: true, status, body };
  const description = answer.description ?? "no description";
  const base = { ok: false as const, status, body, error: `Telegram answered ${status}: ${description}` };
  if (status === 429) return { ...base, retryable: true, retryAfterMs: Math.ceil((answer.retryAfterSeconds ?? 1) * 1000) };
  if (answer.migrateToChatId !== undefined) {
    return { ...base, retryable: false, disable: "The Telegram group was upgraded to a supergroup: link it again with a new code" };
  }
  if (status === 403 || (status === 400 && /chat not found/i.test(description))) {
    return { ...base, retryable: false, disable: `Telegram: ${description.replace(/^(Forbidden|Bad Request): /, "")}` };
  }
  if (status === 401 || status >= 500) return { ...base, retryable: true };
  return { ...base, retryable: false };
};
