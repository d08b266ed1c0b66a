/** The strategy lab's services (issue 19): own strategies (./strategies) and backtests run in worker threads (./backtests, ./runner). */
import "server-only";
export * from "./strategies";
export * from "./backtests";
export { LAB_LIMITS, MAX_RUN_MS } from "./runner";
