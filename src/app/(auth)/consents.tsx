import Link from "next/link";
import type { ComponentProps, ReactNode } from "react";
import { Checkbox } from "@/components/ui/field";

type CheckboxInput = Omit<ComponentProps<typeof Checkbox>, "label" | "errors">;

/**
 * The two consents every new account gives, at sign-up and at onboarding after a sign-in with another provider:
 * the risk disclaimer (`disclaimer` is its sentence, before the link) and the terms, each linked, submitted as
 * `acceptDisclaimer` and `acceptTerms`. A client form passes each box's field props (react-hook-form's `register`) in
 * `inputs`.
 */
export function Consents({
  disclaimer,
  errors,
  inputs,
}: {
  disclaimer: ReactNode;
  errors: { acceptDisclaimer?: string[]; acceptTerms?: string[] };
  inputs?: { acceptDisclaimer?: CheckboxInput; acceptTerms?: CheckboxInput };
}) {
  return (
    <>
      <Checkbox
        name="acceptDisclaimer"
        {...inputs?.acceptDisclaimer}
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
        {...inputs?.acceptTerms}
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
