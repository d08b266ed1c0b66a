import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

/** What `channels.list` answers, as the settings page renders it. */
export type ChannelsList = inferRouterOutputs<AppRouter>["channels"]["list"];
export type Destination = ChannelsList["destinations"][number];
export type DeliveryPage = inferRouterOutputs<AppRouter>["channels"]["deliveries"];
export type Delivery = DeliveryPage["items"][number];
