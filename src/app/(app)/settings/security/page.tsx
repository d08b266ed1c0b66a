import type { Metadata } from "next";
import { requireUser } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/card";
import { TwoFactorSection } from "./_components/two-factor-section";
import { DevicesSection } from "./_components/devices-section";
import { YourDataSection } from "./_components/your-data-section";

export const metadata: Metadata = { title: "Security" };
export const dynamic = "force-dynamic";

/** Settings → Security: two-factor sign-in, signed-in devices, and the account's data (export, deletion). */
export default async function SecurityPage() {
  await requireUser("/settings/security");
  return (
    <>
      <PageHeader title="Security" description="Two-factor sign-in, where you are signed in, and your data." />
      <div className="space-y-6">
        <TwoFactorSection />
        <DevicesSection />
        <YourDataSection />
      </div>
    </>
  );
}
