import Link from "next/link";
import type { ReactNode } from "react";
import { Checkbox } from "@/components/ui/field";

/**
 * The two consents every new account gives, at sign-up and at onboarding after a sign-in with another provider:
 * the risk disclaimer (`disclaimer` is its sentence, before the link) and the terms, each linked, submitted as
 * `acceptDisclaimer` and `acceptTerms`.
 */
export function Consents({ disclaimer, errors }: { disclaimer: ReactNode; errors: { acceptDisclaimer?: string[]; acceptTerms?: string[] } }) {
  return (
    <>
      <Checkbox
        name="acceptDisclaimer"
        errors={errors.acceptDisclaimer}
        label={
          <>
            {disclaimer}{" "}
            <Link href="/disclaimer" target="_blank" className="font-medium text-brand-700 underline">
              Read it
            </Link>
          </>
        }
      />
      <Checkbox
        name="acceptTerms"
        errors={errors.acceptTerms}
        label={
          <>
            I accept the terms of service.{" "}
            <Link href="/terms" target="_blank" className="font-medium text-brand-700 underline">
              Read them
            </Link>
          </>
        }
      />
    </>
  );
}
