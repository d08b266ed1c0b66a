/**
 * Strategies running live as automated providers (issue 19): ./runs (start, reads, limits), ./tick (the live loop),
 * ./stop (kill switch, admin stop, daily loss, account deletion), ./pricing (paid subscriptions to a running strategy),
 * ./ab-tests (A/B shadow tests of variants and the promotion of a winner, issue 20).
 */
import "server-only";
export { adminListRuns, getOwnRun, listOwnRuns, startRun, strategyOfRun, updateRunLimits, type RunFigures, type RunRow, type RunView } from "./runs";
export { setRunPrice, type RunPricing } from "./pricing";
export { stopRun, stopRunAs, stopRunsOfUser, type StopOutcome } from "./stop";
export { startRunAndTick, tickRun, tickStrategyRuns, type RunTickResult, type TickSummary } from "./tick";
export { compareVariants, evaluateAbTest, getAbTest, listAbTests, promoteAbTest, startAbTest, stopAbTest, type AbResult, type AbTestRow, type Comparison, type VariantFigures } from "./ab-tests";
