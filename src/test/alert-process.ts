/**
 * A stand-alone server process for crash tests (run with tsx by `startAlertProcess`): opens the database named by
 * DATABASE_URL, installs the fake market, handles the TradingView alerts given on stdin (one JSON line each:
 * `{ token, body }`) one after another, and prints each outcome as a JSON line. Its parent kills it with SIGKILL
 * mid-way, as a crash would.
 */
import readline from "node:readline";
import { getDatabase } from "@/server/db";
import { setMarketData } from "@/server/integrations/market-data";
import { FakeMarket } from "./fake-market";

await getDatabase();
setMarketData(new FakeMarket());
const { handleAlert } = await import("@/server/services/tradingview");
const { serviceContext } = await import("@/server/services/context");
// The jobs the server's start-up gives the inline runner, so the events these alerts send run them as in the app.
(await import("@/server/jobs")).registerJobs();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const line of readline.createInterface({ input: process.stdin })) {
  const { token, body } = JSON.parse(line) as { token: string; body: string };
  try {
    process.stdout.write(`${JSON.stringify({ outcome: await handleAlert(serviceContext(), token, body, "application/json") })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ error: String(err) })}\n`);
  }
}
process.exit(0);
