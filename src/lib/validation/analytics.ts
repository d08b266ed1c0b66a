import { z } from "zod";
import { ANALYTICS_BUCKETS, ANALYTICS_RANGES, bucketFitsRange } from "@/lib/analytics";

/** The admin analytics query: a window ending now and the growth chart's bucket size. */
export const analyticsInput = z
  .object({
    range: z.enum(ANALYTICS_RANGES, { message: "Choose a range: 24h, 7d, 30d, 90d, 1y or all" }).default("30d"),
    bucket: z.enum(ANALYTICS_BUCKETS, { message: "Choose a bucket: hour, day, week or month" }).default("day"),
  })
  .refine((v) => bucketFitsRange(v.range, v.bucket), {
    message: "That bucket does not suit the range: hourly covers at most 7 days, daily at most a year",
    path: ["bucket"],
  });
export type AnalyticsInput = z.output<typeof analyticsInput>;
