"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useRef } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/field";
import { messages } from "@/components/forms/errors";
import { useCopy } from "@/components/ui/use-copy";
import { RECOVERY_CODES_FILENAME, recoveryCodesFile } from "./two-factor-text";

/** Done only once they say the codes are saved: they are not shown again. */
const savedSchema = z.object({ saved: z.boolean().refine((saved) => saved, "Tick this once the codes are saved: they will not be shown again") });
type SavedValues = z.infer<typeof savedSchema>;

/**
 * The ten recovery codes, shown this once (the server keeps only hashes): download them as a text file or copy
 * them, and say they are saved before the panel closes.
 */
export function RecoveryCodes({ codes, email, onDone }: { codes: string[]; email?: string | null; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const form = useForm<SavedValues>({ defaultValues: { saved: false }, resolver: zodResolver(savedSchema) });
  const list = useRef<HTMLOListElement>(null);
  const { copy, copyStatus } = useCopy(list);
  useEffect(() => heading.current?.focus(), []);
  const text = () => recoveryCodesFile(codes, { email, now: new Date() });
  const download = () => {
    // Made in the browser: the codes are not sent anywhere again.
    const url = URL.createObjectURL(new Blob([text()], { type: "text/plain;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = RECOVERY_CODES_FILENAME;
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <section aria-labelledby="recovery-codes-title" className="space-y-4">
      <h3 id="recovery-codes-title" ref={heading} tabIndex={-1} className="text-base font-semibold text-slate-900 focus:outline-none">
        Save your recovery codes
      </h3>
      <p className="max-w-2xl text-sm text-slate-600">
        If you lose your phone, each of these codes signs you in once in place of an authentication code. This is the only time they are shown: download or
        copy them now and keep them somewhere safe, apart from your phone.
      </p>
      <ol
        ref={list}
        data-testid="recovery-codes"
        aria-label="Recovery codes"
        className="grid max-w-md grid-cols-2 gap-x-6 gap-y-1.5 rounded-md border border-slate-200 bg-slate-50 p-4 font-mono text-sm text-slate-900"
      >
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="button" variant="secondary" size="sm" onClick={download}>
          Download
        </Button>
        <Button type="button" variant="secondary" size="sm" onClick={() => copy(codes.join("\n"))}>
          Copy
        </Button>
        <span className="text-xs text-slate-500" aria-live="polite">
          {copyStatus}
        </span>
      </div>
      <form className="space-y-3 border-t border-slate-100 pt-4" noValidate onSubmit={form.handleSubmit(onDone)}>
        <Checkbox label="I have saved these recovery codes somewhere safe" {...form.register("saved")} errors={messages(form.formState.errors.saved)} />
        <Button type="submit">Done</Button>
      </form>
    </section>
  );
}
