"use client";

import type Decimal from "decimal.js";
import { useFieldArray, type UseFormReturn } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { messages } from "@/components/forms/errors";
import { shareToPercent } from "@/components/signals/format";
import { MAX_TAKE_PROFITS } from "@/lib/validation/signals";
import type { PublishSignalInput } from "@/lib/validation/signals";
import {
  LEVELS_ERROR,
  sizesUntouched,
  withTakeProfitAdded,
  withTakeProfitRemoved,
  type PublishFormContext,
  type PublishFormValues,
} from "./publish-form-schema";

type PublishForm = UseFormReturn<PublishFormValues, PublishFormContext, PublishSignalInput>;

/**
 * The take-profit levels: a price and a % of the position per row, up to MAX_TAKE_PROFITS rows. The sizes start as
 * an even split of the whole position (100; 50/50; 34/33/33), made again as levels are added or removed until the
 * person types sizes of their own (see withTakeProfitAdded / withTakeProfitRemoved).
 */
export function TakeProfitFields({ form, values, assigned }: { form: PublishForm; values: PublishFormValues; assigned: Decimal }) {
  const { control, register, clearErrors, formState, getValues } = form;
  const { fields, replace } = useFieldArray({ control, name: "takeProfits" });
  const untouched = sizesUntouched(values.takeProfits);
  const errors = formState.errors.takeProfits;
  const levelsError = errors?.root?.message ?? errors?.message;

  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-800">Take-profits</legend>
      <p className="text-xs text-slate-500">
        Up to {MAX_TAKE_PROFITS} levels, each closing a % of the original position{untouched && fields.length > 1 ? ", split evenly until you change it" : ""}.{" "}
        {assigned.gt(0) ? `${shareToPercent(assigned.toString())}% assigned.` : ""}
      </p>
      <ol className="mt-2 space-y-3">
        {fields.map((field, i) => {
          const price = register(`takeProfits.${i}.price`, { onChange: () => clearErrors([`takeProfits.${i}.price`, LEVELS_ERROR]) });
          const size = register(`takeProfits.${i}.size`, { onChange: () => clearErrors([`takeProfits.${i}.size`, LEVELS_ERROR]) });
          return (
            <li key={field.id} className="grid grid-cols-[2rem_minmax(0,1fr)_5.75rem_2.25rem] items-start gap-2 sm:grid-cols-[2.5rem_minmax(0,1fr)_9rem_2.5rem] sm:gap-3">
              <span aria-hidden="true" className="mt-9 text-xs font-semibold text-slate-500">
                TP{i + 1}
              </span>
              {/* Short visible labels; the accessible names say which level ("Take-profit 2 price"). */}
              <TextField
                label="Price"
                aria-label={`Take-profit ${i + 1} price`}
                inputMode="decimal"
                autoComplete="off"
                placeholder={values.side === "long" ? "Above entry" : "Below entry"}
                {...price}
                errors={messages(errors?.[i]?.price)}
                className="[&_input]:font-mono [&_input::placeholder]:font-sans"
              />
              <TextField
                label="Size (%)"
                aria-label={`Take-profit ${i + 1} size (%)`}
                inputMode="decimal"
                autoComplete="off"
                // The value is there before hydration too (register sets it only once mounted).
                defaultValue={field.size}
                {...size}
                errors={messages(errors?.[i]?.size)}
                className="[&_input]:font-mono [&_input::placeholder]:font-sans"
              />
              <Button
                type="button"
                variant="ghost"
                className="mt-6 px-0"
                aria-label={`Remove take-profit ${i + 1}`}
                title={`Remove take-profit ${i + 1}`}
                // A lone level as the form made it has nothing to remove.
                disabled={fields.length === 1 && untouched && !values.takeProfits[0]?.price}
                onClick={() => {
                  replace(withTakeProfitRemoved(getValues("takeProfits"), i));
                  clearErrors();
                }}
              >
                <span aria-hidden="true" className="text-lg leading-none">×</span>
              </Button>
            </li>
          );
        })}
      </ol>
      {levelsError ? (
        <p className="mt-2 text-sm text-red-700 outline-none" role="alert" tabIndex={-1} data-focus-on-error>
          {levelsError}
        </p>
      ) : null}
      {fields.length < MAX_TAKE_PROFITS ? (
        <Button type="button" variant="secondary" size="sm" className="mt-3" onClick={() => replace(withTakeProfitAdded(getValues("takeProfits")))}>
          <span aria-hidden="true">+</span> Add take-profit {fields.length + 1}
        </Button>
      ) : null}
    </fieldset>
  );
}
