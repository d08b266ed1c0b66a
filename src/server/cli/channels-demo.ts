/**
 * `npm run demo:channels [-- --console-port 4610 --discord-port 4611 --telegram-port 4612 --webhook-port 4613]`:
 * the offline notification channels demo (issue 16). Starts the fake Discord webhook endpoint, the fake Telegram Bot
 * API and a fake webhook receiver on fixed 127.0.0.1 ports plus a web console to watch and drive them
 * (src/server/demo/channels), and prints the env lines that point the app at them. Runs until Ctrl-C.
 * Needs no database and no network.
 */
import "server-only";
import { startConsole } from "@/server/demo/channels/console";
import {
  ChannelsDemo,
  DEFAULT_DEMO_PORTS,
  PortInUseError,
  type DemoPorts,
} from "@/server/demo/channels/demo";

const FLAGS: Record<string, keyof DemoPorts> = {
  "--console-port": "console",
  "--discord-port": "discord",
  "--telegram-port": "telegram",
  "--webhook-port": "webhooks",
};

const USAGE = `Usage: npm run demo:channels [-- --console-port N --discord-port N --telegram-port N --webhook-port N]
Defaults: console ${DEFAULT_DEMO_PORTS.console}, Discord ${DEFAULT_DEMO_PORTS.discord}, Telegram ${DEFAULT_DEMO_PORTS.telegram}, webhook receiver ${DEFAULT_DEMO_PORTS.webhooks}.`;

function parsePorts(args: string[]): DemoPorts | string {
  const ports = { ...DEFAULT_DEMO_PORTS };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === "--help" || arg === "-h") return USAGE;
    const [flag, inline] = arg.includes("=")
      ? (arg.split("=", 2) as [string, string])
      : [arg, undefined];
    const key = FLAGS[flag];
    if (!key) return `Unknown option ${arg}.\n${USAGE}`;
    const value = inline ?? args[(i += 1)];
    const port = Number(value);
    if (!value || !Number.isInteger(port) || port < 1 || port > 65535)
      return `${flag} needs a port number (1–65535), got "${value ?? ""}".`;
    ports[key] = port;
  }
  return ports;
}

async function main(): Promise<number> {
  const ports = parsePorts(process.argv.slice(2));
  if (typeof ports === "string") {
    console.error(ports);
    return ports === USAGE ? 0 : 2;
  }
  const demo = new ChannelsDemo();
  let console_: Awaited<ReturnType<typeof startConsole>>;
  try {
    await demo.start(ports);
    console_ = await startConsole(demo, ports.console);
  } catch (err) {
    await demo.stop();
    console.error(err instanceof PortInUseError ? err.message : err);
    return 1;
  }
  console.log(`Tradsy channels demo: nothing here leaves 127.0.0.1.

  Console (watch and drive the fakes): ${console_.url}
  Fake Discord:            ${demo.url("discord")}
  Fake Telegram Bot API:   ${demo.url("telegram")}  (bot @${demo.telegram.bot.username}, token ${demo.telegram.token})
  Fake webhook receiver:   ${demo.webhookUrl}

1. Start the app with these env lines (in .env.local or in front of the command), e.g. in another terminal:

${demo
  .envLines()
  .map((l) => `  ${l}`)
  .join("\n")}

   Leave TELEGRAM_WEBHOOK_SECRET unset: without a public URL the app polls the bot (the telegram-poll job, every minute).

2. In Settings -> Notification channels:
   - Discord webhook URL to paste:  ${demo.discordWebhookUrl}
     (a discord.com URL; the app sends it to the fake through DISCORD_API_BASE_URL)
   - Webhook endpoint URL to paste: ${demo.webhookUrl}
     (plain http on 127.0.0.1, allowed only because it is on OUTBOUND_URL_ALLOWLIST)
   - Telegram: press "Link Telegram", then send the "/start <code>" it shows from a chat on ${console_.url}/telegram

Ctrl-C stops the demo.`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await console_.stop();
  await demo.stop();
  console.log("Channels demo stopped.");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
