import "server-only";
import { TRPCError } from "@trpc/server";
import { cache } from "react";
import { api } from "@/trpc/server";

/** A provider's public profile, shared by generateMetadata and the pages within one request; unknown or malformed slugs read as null. */
export const getProviderBySlug = cache(async (slug: string) => {
  const caller = await api();
  try {
    return await caller.providers.bySlug({ slug });
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) return null;
    throw err;
  }
});
