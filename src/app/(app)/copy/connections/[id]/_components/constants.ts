/** Rows per page of a connection's activity log (the page prefetches the first with the same input the client reads). */
export const ACTIVITY_PAGE = 25;
