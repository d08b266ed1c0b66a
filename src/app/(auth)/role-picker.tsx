import { cn } from "@/components/ui/cn";
import { FieldError } from "@/components/ui/field";

const OPTIONS = [
  { value: "subscriber", label: "I'm a trader", hint: "Follow providers and copy their signals" },
  { value: "provider", label: "I'm a signal provider", hint: "Publish signals and earn 70% of subscriptions" },
] as const;

export function RolePicker({ defaultValue, errors }: { defaultValue: string; errors?: string[] }) {
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-800">How will you use Tradsy?</legend>
      <div className="mt-2 grid gap-2 sm:grid-cols-2">
        {OPTIONS.map((o) => (
          <label
            key={o.value}
            className={cn(
              "relative flex cursor-pointer flex-col rounded-md border border-slate-300 bg-white p-3 text-sm has-[:checked]:border-brand-600 has-[:checked]:bg-brand-50 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-600",
            )}
          >
            <span className="flex items-center gap-2 font-medium text-slate-900">
              <input type="radio" name="role" value={o.value} defaultChecked={defaultValue === o.value} className="accent-brand-700" aria-describedby={`role-${o.value}-hint`} />
              {o.label}
            </span>
            <span id={`role-${o.value}-hint`} className="mt-1 text-xs text-slate-500">
              {o.hint}
            </span>
          </label>
        ))}
      </div>
      <FieldError id="role-error" messages={errors} />
    </fieldset>
  );
}

