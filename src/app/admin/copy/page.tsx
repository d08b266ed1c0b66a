import type { Metadata } from "next";
import { requireAdmin } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/card";
import { api } from "@/trpc/server";
import { PlatformSwitch, ProviderStops } from "./client";
import { OpenDiscrepancies } from "./discrepancies";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Copy trading" };

export default async function AdminCopyPage() {
  // Layouts and pages render in parallel: the page checks too, so its data call never runs for non-admins.
  await requireAdmin();
  const caller = await api();
  const [state, discrepancies] = await Promise.all([caller.admin.copy.state(), caller.admin.copy.discrepancies({ limit: 200 })]);
  return (
    <>
      <PageHeader
        title="Copy trading"
        description="Kill switches for copy trading, and what reconciliation finds on followers' exchange accounts. A switch stops new copy entries at once; exits of open copies always run. Every change is recorded in the audit log."
      />
      <div className="space-y-6">
        <PlatformSwitch state={state.platform} />
        <ProviderStops stopped={state.providers} />
        <OpenDiscrepancies rows={discrepancies} />
      </div>
    </>
  );
}
