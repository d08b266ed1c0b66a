import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

type Out = inferRouterOutputs<AppRouter>["copy"];
export type FollowingItem = Out["followings"]["followings"][number];
export type PositionItem = Out["positions"]["items"][number];
export type OrderItem = Out["orders"]["items"][number];
export type FailingExitItem = Out["failingExits"][number];
