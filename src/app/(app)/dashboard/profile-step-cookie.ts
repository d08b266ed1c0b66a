/** The cookie that remembers "Skip" on the dashboard's trading-profile step in this browser (a plain module: the page reads it on the server). */
export const PROFILE_STEP_SKIPPED_COOKIE = "tradsy_profile_questions";
