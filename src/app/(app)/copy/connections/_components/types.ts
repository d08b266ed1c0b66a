import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

type Out = inferRouterOutputs<AppRouter>["exchanges"];
export type ConnectionItem = Out["list"][number];
export type ExchangeItem = Out["supported"][number];
export type OverviewData = Out["overview"];
export type ActivityItem = Out["activity"]["items"][number];
export type DiscrepancyItem = Out["discrepancies"][number];
