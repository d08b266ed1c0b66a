"use client";

import { cn } from "@/components/ui/cn";

/**
 * The code field's pieces, apart from ./code-form.tsx (react-hook-form, zod) so the sign-in form, a plain form
 * posted to a server action, shares them without loading those.
 */

export type CodeKind = "totp" | "recovery";

/**
 * The code field's label, keyboard, autofill and hint for each kind: the same in CodeForm and the sign-in form's
 * code step.
 */
export function codeFieldProps(kind: CodeKind) {
  const totp = kind === "totp";
  return {
    label: totp ? "Authentication code" : "Recovery code",
    inputMode: totp ? "numeric" : "text",
    autoComplete: totp ? "one-time-code" : "off",
    autoCapitalize: "none",
    spellCheck: false,
    maxLength: totp ? 9 : 13,
    placeholder: totp ? "123456" : "abcde-fghjk",
    hint: totp ? "The 6-digit code your authenticator app shows now." : "Each recovery code works once.",
  } as const;
}

/** The switch between the app's code and a recovery code, under the code field. */
export function CodeKindSwitch({ kind, onSwitch, className }: { kind: CodeKind; onSwitch: () => void; className?: string }) {
  return (
    <button type="button" onClick={onSwitch} className={cn("text-sm font-medium text-brand-700 underline-offset-4 hover:underline", className)}>
      {kind === "totp" ? "Use a recovery code" : "Use your authenticator app"}
    </button>
  );
}
