"use client";

import Link from "next/link";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/trpc/react";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import type { ChecklistStep, Progress } from "@/lib/checklist";
import { STEP_ADVICE } from "@/lib/onboarding/advice";

/**
 * The onboarding checklist: progress as a bar with its number (role=progressbar with the value for screen readers),
 * each step ticked from the user's data (services/onboarding), and "Skip", which hides it until "Show the checklist".
 */
export function OnboardingChecklist({ title, steps, progress, skipped }: { title: string; steps: ChecklistStep[]; progress: Progress; skipped: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const setSkipped = useMutation(trpc.onboarding.setSkipped.mutationOptions({ onSuccess: () => router.refresh() }));
  if (skipped) {
    return (
      <p className="text-sm text-slate-600" data-testid="checklist-hidden">
        Getting-started checklist hidden ({progress.percent}% done).{" "}
        <Button variant="ghost" size="sm" loading={setSkipped.isPending} onClick={() => setSkipped.mutate({ skipped: false })}>
          Show the checklist
        </Button>
      </p>
    );
  }
  const label = `${title}: ${progress.percent}% done`;
  return (
    <Card data-testid="onboarding-checklist">
      <CardHeader
        title={title}
        action={
          <Button variant="ghost" size="sm" loading={setSkipped.isPending} onClick={() => setSkipped.mutate({ skipped: true })}>
            Skip
          </Button>
        }
      />
      <CardBody>
        <div className="flex items-center gap-3">
          <div
            role="progressbar"
            aria-label={label}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={progress.percent}
            aria-valuetext={`${progress.percent}% (${progress.done} of ${progress.total} steps)`}
            className="h-2 flex-1 overflow-hidden rounded-full bg-slate-100"
          >
            <div className="h-full rounded-full bg-brand-700 transition-[width]" style={{ width: `${progress.percent}%` }} />
          </div>
          <span className="text-sm font-medium text-slate-700" data-testid="checklist-percent">
            {progress.percent}%
          </span>
        </div>
        {setSkipped.isError ? <p className="mt-2 text-sm text-red-700">{setSkipped.error.message}</p> : null}
        <ol className="mt-3 divide-y divide-slate-100">
          {steps.map((s) => {
            const advice = STEP_ADVICE[s.id];
            const done = s.state === "done";
            return (
              <li key={s.id} className="flex gap-3 py-3" data-testid={`step-${s.id}`} data-state={s.state}>
                <span
                  aria-hidden="true"
                  className={`mt-0.5 flex size-6 shrink-0 items-center justify-center rounded-full text-xs font-semibold ${done ? "bg-brand-700 text-white" : "border border-slate-300 text-slate-400"}`}
                >
                  {done ? "✓" : ""}
                </span>
                <div>
                  <p className="text-sm font-medium text-slate-900">
                    {done ? advice.title : <Link href={advice.path} className="hover:underline">{advice.title}</Link>} <span className="sr-only">{done ? "(done)" : "(to do)"}</span>
                  </p>
                  {done ? null : <p className="text-sm text-slate-600">{advice.advice}</p>}
                </div>
              </li>
            );
          })}
        </ol>
      </CardBody>
    </Card>
  );
}
