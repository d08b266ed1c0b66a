/**
 * Every background job, in one list: `functions` for the Inngest serve route, `jobs` for the inline runner and
 * scheduler. A job not listed here runs in neither mode.
 */
import "server-only";
import type { DefinedJob } from "./define";
import { auditRetention } from "./functions/audit-retention";
import { backupDaily, backupMonthly, backupVerify, backupWeekly } from "./functions/backups";
import { copyConnection } from "./functions/copy-connection";
import { copyFanout } from "./functions/copy-fanout";
import { copySweeper } from "./functions/copy-sweeper";
import { emailDrain } from "./functions/email-drain";
import { exchangeReconcile } from "./functions/exchange-reconcile";
import { jobRetention } from "./functions/job-retention";
import { onboardingSequence } from "./functions/onboarding-sequence";
import { priceMonitor } from "./functions/price-monitor";
import { statsRollup } from "./functions/stats-rollup";
import { dailyDigest, monthlyReport, weeklyDigest } from "./functions/digests";
import { signalAlerts } from "./functions/signal-alerts";
import { copyEmails } from "./functions/copy-emails";
import { channelAlerts } from "./functions/channel-alerts";
import { channelDrain } from "./functions/channel-drain";
import { telegramPoll } from "./functions/telegram-poll";
import { monitor } from "./functions/monitor";
import { strategyRunsTick } from "./functions/strategy-runs";
import { registerInlineJobs } from "./inline/runner";

export { inngest, jobsMode } from "./client";

// Only the runtime-facing parts: each job's handler is typed by its own events, which a shared list cannot keep.
const defined: readonly Pick<DefinedJob, "id" | "fn" | "job">[] = [auditRetention, copyConnection, copyFanout, copySweeper, emailDrain, exchangeReconcile, jobRetention, onboardingSequence, priceMonitor, statsRollup, dailyDigest, monthlyReport, weeklyDigest, signalAlerts, copyEmails, channelAlerts, channelDrain, telegramPoll, backupDaily, backupWeekly, backupMonthly, backupVerify, monitor, strategyRunsTick];

// INVARIANT: ids are unique; Inngest keys function state by id, and the inline scheduler keys its crons by it.
const duplicate = defined.find((d, i) => defined.findIndex((o) => o.id === d.id) !== i);
if (duplicate) throw new Error(`Duplicate job id "${duplicate.id}"`);

export const functions = defined.map((d) => d.fn);
export const jobs = defined.map((d) => d.job);

/**
 * Hands this list to the inline runner, for the events sent in this process. Called at start-up rather than imported
 * by the runner: these jobs import the services that send events (see ./inline/runner.ts).
 */
export function registerJobs(): void {
  registerInlineJobs(jobs);
}
