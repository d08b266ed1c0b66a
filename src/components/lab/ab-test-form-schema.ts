/**
 * The A/B test form's values and their checks (issue 20). The form holds what a person types (text); its schema
 * reads the numbers, checks each challenger as the server will (bounds, whole counts, the strategy's constraints, no
 * duplicate of A or of another challenger: src/lib/lab/ab-view) and the plan with the shared startAbTestSchema, each
 * issue on the field that shows it. It outputs the procedure's input without the run id.
 */
import { z } from "zod";
import type { Constraint } from "@/lib/optimize/space";
import { challengerIssues, type ParamBounds } from "@/lib/lab/ab-view";
import { startAbTestSchema, type StartAbTestInput } from "@/lib/validation/strategy-runs";
import type { FieldErrors } from "@/lib/validation/field-errors";

export interface AbFormValues {
  challengers: { params: Record<string, string> }[];
  effectSize: string;
  alpha: string;
  power: string;
}

export type AbFormOutput = Omit<StartAbTestInput, "id">;

export const MAX_CHALLENGERS = 3;
export const PLAN_DEFAULTS = { effectSize: "0.3", alpha: "0.05", power: "0.8" } as const;

/** A typed number, or NaN (the empty string is not 0). */
export const readNumber = (v: string | undefined) => (v === undefined || v.trim() === "" ? Number.NaN : Number(v.trim()));

/** The values a new challenger starts from: the running version's parameters (A), as text. */
export function challengerFrom(params: Record<string, number>, defs: readonly ParamBounds[]): { params: Record<string, string> } {
  return { params: Object.fromEntries(defs.map((d) => [d.name, String(params[d.name] ?? d.default)])) };
}

export function abFormSchema(defs: readonly ParamBounds[], constraints: readonly Constraint[], runParams: Record<string, number>) {
  const plan = startAbTestSchema.pick({ effectSize: true, alpha: true, power: true });
  return z
    .object({
      challengers: z.array(z.object({ params: z.record(z.string(), z.string()) })),
      effectSize: z.string(),
      alpha: z.string(),
      power: z.string(),
    })
    .transform((values, ctx): AbFormOutput => {
      let refused = false;
      const refuse = (path: (string | number)[], message: string) => {
        refused = true;
        ctx.addIssue({ code: "custom", path, message });
      };
      const read = values.challengers.map((c) => Object.fromEntries(defs.map((d) => [d.name, readNumber(c.params[d.name])])));
      read.forEach((params, k) => {
        const issues = challengerIssues(defs, constraints, params, [runParams, ...read.slice(0, k)]);
        for (const [name, message] of Object.entries(issues.fields)) refuse(["challengers", k, "params", name], message);
        if (issues.set) refuse(["challengers", k], issues.set);
      });
      const parsed = plan.safeParse({ effectSize: readNumber(values.effectSize), alpha: readNumber(values.alpha), power: readNumber(values.power) });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) refuse(issue.path.slice(0, 1) as string[], issue.message);
      }
      if (!parsed.success || refused) return z.NEVER;
      return { challengers: read.map((params) => ({ params })), ...parsed.data };
    });
}

export type AbFormField = "effectSize" | "alpha" | "power" | `challengers.${number}`;

/**
 * The server's messages by form field: a challenger's refusal (`challengers.1.params`) goes on that challenger; the
 * plan's on its fields. What has no field (the run, the list as a whole) is left for the form's general message.
 */
export function abFormServerErrors(errors: FieldErrors): Partial<Record<AbFormField, string>> {
  const placed: Partial<Record<AbFormField, string>> = {};
  for (const [key, messages] of Object.entries(errors)) {
    const message = messages[0];
    if (!message) continue;
    const challenger = /^challengers\.(\d+)(\.|$)/.exec(key);
    if (challenger) placed[`challengers.${Number(challenger[1])}`] = message;
    else if (key === "effectSize" || key === "alpha" || key === "power") placed[key] = message;
  }
  return placed;
}
