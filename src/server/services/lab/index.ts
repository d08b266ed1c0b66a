/** The strategy lab's services (issues 19, 20): own strategies, backtests run in worker threads, optimisations and walk-forward runs. */
import "server-only";
export * from "./strategies";
export * from "./backtests";
export { LAB_LIMITS, MAX_RUN_MS } from "./runner";
export * from "./optimizations";
