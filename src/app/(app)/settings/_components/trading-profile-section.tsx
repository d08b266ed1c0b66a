"use client";

import Link from "next/link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { TradingProfileForm } from "@/components/strategy-library/trading-profile-form";
import type { TradingProfileInput } from "@/lib/validation/strategy-library";

/** Risk tolerance and experience: optional answers the Strategy Library's recommendations use. */
export function TradingProfileSection({ initial }: { initial: TradingProfileInput }) {
  return (
    <section id="trading-profile" className="scroll-mt-20">
      <Card>
        <CardHeader
          title="Trading profile"
          description={
            <>
              Optional. Used only to suggest strategies in the{" "}
              <Link href="/strategies" className="font-medium text-brand-700 underline-offset-4 hover:underline">
                Strategy Library
              </Link>
              ; never shown to anyone else.
            </>
          }
        />
        <CardBody>
          <TradingProfileForm initial={initial} idPrefix="settings-profile" submitLabel="Save trading profile" />
        </CardBody>
      </Card>
    </section>
  );
}
