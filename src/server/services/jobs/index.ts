/**
 * Jobs as people see them: the admin's view of the embedded runner's runs (./admin). Running jobs is
 * src/server/jobs' (the Inngest client, the inline runner and scheduler); this service reads and steers their state.
 */
import "server-only";

export { adminCancelRun, adminGetRun, adminJobSchedules, adminListRuns, adminRetryRun, RUN_STEPS_PAGE_SIZE } from "./admin";
export type { AdminRunListInput, Clipped } from "./admin";
