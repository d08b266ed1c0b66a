"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { TradingProfileForm } from "@/components/strategy-library/trading-profile-form";
import { PROFILE_STEP_SKIPPED_COOKIE } from "./profile-step-cookie";


/**
 * The trader's optional onboarding step (issue 19): risk tolerance and experience, for the Strategy Library's
 * recommendations. Shown on the dashboard until answered or skipped; skipping is remembered for a year in a cookie
 * (no account data changes), and Settings → Trading profile asks again at any time.
 */
export function TradingProfileStep() {
  const [hidden, setHidden] = useState(false);
  if (hidden) return null;
  const skip = () => {
    document.cookie = `${PROFILE_STEP_SKIPPED_COOKIE}=skipped; max-age=${365 * 86_400}; path=/; samesite=lax`;
    setHidden(true);
  };
  return (
    <section aria-labelledby="profile-step" className="mb-6">
      <Card>
        <CardHeader
          title={<span id="profile-step">Two optional questions</span>}
          description="Your answers let the Strategy Library suggest strategies that fit you. Skip if you like; you can answer later in Settings."
        />
        <CardBody>
          <TradingProfileForm
            initial={{ riskTolerance: null, experience: null }}
            idPrefix="onboarding-profile"
            submitLabel="Save answers"
            onSaved={() => setHidden(true)}
            secondaryAction={
              <Button type="button" variant="secondary" onClick={skip}>
                Skip for now
              </Button>
            }
          />
        </CardBody>
      </Card>
    </section>
  );
}
