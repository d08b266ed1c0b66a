import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/card";
import { requireAdmin } from "@/server/auth/guards";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { SystemMonitor } from "./client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "System" };

/**
 * /admin/system: the monitor's readings (taken every minute by the `monitor` job), their thresholds, the open alerts
 * and 24 hours of charts. Rendered with the data, then refreshed in the browser every 15 seconds.
 */
export default async function AdminSystemPage() {
  // Layouts and pages render in parallel: the page checks too, so its data calls never run for non-admins.
  await requireAdmin();
  const queryClient = getQueryClient();
  await Promise.all([
    queryClient.prefetchQuery(trpc.admin.system.overview.queryOptions()),
    queryClient.prefetchQuery(trpc.admin.system.history.queryOptions({ hours: 24 })),
  ]);
  return (
    <HydrateClient>
      <PageHeader
        title="System"
        description="CPU, memory, disk, the event loop, the database, exchanges, live streams, jobs, email and backups, read every minute. Admins are emailed when a reading crosses its warning or critical line, at most once per alert every 5 minutes. Times in UTC."
      />
      <SystemMonitor />
    </HydrateClient>
  );
}
