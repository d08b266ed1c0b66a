"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState, type ReactNode } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { messages } from "@/components/forms/errors";
import { cn } from "@/components/ui/cn";
import { normaliseRecoveryCode, normaliseTotp } from "@/lib/totp/codes";
import { CodeKindSwitch, codeFieldProps, type CodeKind } from "./code-field";

/**
 * The form's own check, for instant feedback only (the server decides, and counts wrong codes): the shapes of
 * src/lib/totp/codes, which the server uses too. Spaces are dropped because apps show "123 456".
 */
export function codeFormSchema(kind: CodeKind) {
  return z.object({
    code:
      kind === "totp"
        ? z.string().refine((v) => normaliseTotp(v) !== null, "Enter the 6-digit code from your authenticator app").transform((v) => normaliseTotp(v) ?? v)
        : z
            .string()
            .refine((v) => normaliseRecoveryCode(v) !== null, "Enter one of your recovery codes, like abcde-fghjk")
            .transform((v) => normaliseRecoveryCode(v) ?? v),
  });
}

type CodeValues = { code: string };

/** The sentence to show under the field for a refused or failed call. */
export function refusalMessage(error: unknown): string {
  if (typeof error === "object" && error !== null && "data" in error && error instanceof Error) {
    const fields = (error as { data?: { fieldErrors?: Record<string, string[]> | null } }).data?.fieldErrors;
    return fields?.code?.[0] ?? error.message;
  }
  return "Tradsy could not be reached. Check your connection and try again.";
}

type CodeFormProps = {
  allowRecovery?: boolean;
  submitLabel: string;
  submitVariant?: "primary" | "danger";
  onSubmit: (code: string, kind: CodeKind) => Promise<unknown>;
  /** A button beside the submit one (Cancel, in dialogs). */
  secondary?: ReactNode;
  className?: string;
  /** Where the buttons sit: at the end (dialogs, the default) or the start (a form in a page). */
  actionsAlign?: "start" | "end";
};

/**
 * Asks for one code: "Authentication code" (6 digits from the app) or, where `allowRecovery`, a "Recovery code"
 * behind a toggle, as on the sign-in form. `onSubmit` gets the code without spaces; when it rejects, the reason
 * shows under the field (tied to it with aria-describedby) and focus goes back to the field.
 */
export function CodeForm(props: CodeFormProps) {
  const [kind, setKind] = useState<CodeKind>("totp");
  const [switched, setSwitched] = useState(false);
  // One form per kind (key): each has its own rule, and switching starts from an empty field.
  return (
    <CodeKindForm
      key={kind}
      {...props}
      kind={kind}
      autoFocus={switched}
      onSwitch={() => {
        setKind(kind === "totp" ? "recovery" : "totp");
        setSwitched(true);
      }}
    />
  );
}

function CodeKindForm({
  kind,
  autoFocus,
  onSwitch,
  allowRecovery = true,
  submitLabel,
  submitVariant = "primary",
  onSubmit,
  secondary,
  className,
  actionsAlign = "end",
}: CodeFormProps & { kind: CodeKind; autoFocus: boolean; onSwitch: () => void }) {
  const form = useForm<z.input<ReturnType<typeof codeFormSchema>>, unknown, CodeValues>({
    defaultValues: { code: "" },
    resolver: zodResolver(codeFormSchema(kind)),
    reValidateMode: "onSubmit",
  });
  const submit = form.handleSubmit(async ({ code }) => {
    try {
      await onSubmit(code, kind);
    } catch (error) {
      form.setError("code", { type: "server", message: refusalMessage(error) }, { shouldFocus: true });
    }
  });
  return (
    <form
      onSubmit={(event) => {
        // Dialogs render in a portal, but React bubbles events along the component tree: a code form opened from
        // inside another form (adding an exchange connection) must not submit that form too.
        event.stopPropagation();
        void submit(event);
      }}
      noValidate
      className={cn("space-y-4", className)}
    >
      <div>
        <TextField {...codeFieldProps(kind)} autoFocus={autoFocus} className="max-w-xs" {...form.register("code")} errors={messages(form.formState.errors.code)} />
        {allowRecovery ? <CodeKindSwitch kind={kind} onSwitch={onSwitch} className="mt-2" /> : null}
      </div>
      {/* Submit first on phones (stacked) and, in a page, first from the left; in dialogs Cancel sits before it. */}
      <div className={cn("flex flex-col-reverse gap-2", actionsAlign === "end" ? "sm:flex-row sm:justify-end" : "sm:flex-row-reverse sm:justify-end")}>
        {secondary}
        <Button type="submit" variant={submitVariant} loading={form.formState.isSubmitting}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
