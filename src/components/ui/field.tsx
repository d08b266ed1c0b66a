import { useId, type InputHTMLAttributes, type ReactNode, type Ref, type TextareaHTMLAttributes } from "react";
import { cn } from "./cn";

const control =
  "block w-full rounded-md border bg-white px-3 py-2 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none disabled:bg-slate-100";

export function FieldError({ id, messages }: { id: string; messages?: string[] | null }) {
  if (!messages?.length) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700" role="alert">
      {messages[0]}
    </p>
  );
}

/** What goes under a control: its hint while it has no error (id `${id}-hint`), then its first error (`${id}-error`). */
export function FieldNotes({ id, hint, errors }: { id: string; hint?: ReactNode; errors?: string[] | null }) {
  return (
    <>
      {hint && !errors?.length ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} messages={errors} />
    </>
  );
}

/** A field's label above its control, then its hint (while there is no error) and its first error. */
function FieldShell({ id, label, hint, errors, className, children }: { id: string; label: string; hint?: ReactNode; errors?: string[] | null; className?: string; children: ReactNode }) {
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      {children}
      <FieldNotes id={id} hint={hint} errors={errors} />
    </div>
  );
}

export function TextField({
  label,
  hint,
  errors,
  className,
  ...props
}: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: ReactNode; errors?: string[] | null; ref?: Ref<HTMLInputElement> }) {
  const id = useId();
  const invalid = Boolean(errors?.length);
  return (
    <FieldShell id={id} label={label} hint={hint} errors={errors} className={className}>
      <input
        id={id}
        aria-invalid={invalid || undefined}
        aria-describedby={cn(invalid && `${id}-error`, Boolean(hint) && !invalid && `${id}-hint`) || undefined}
        className={cn(control, "mt-1", invalid ? "border-red-500" : "border-slate-300")}
        {...props}
      />
    </FieldShell>
  );
}

export function TextArea({
  label,
  errors,
  className,
  ...props
}: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; errors?: string[] | null; ref?: Ref<HTMLTextAreaElement> }) {
  const id = useId();
  const invalid = Boolean(errors?.length);
  return (
    <FieldShell id={id} label={label} errors={errors} className={className}>
      <textarea
        id={id}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${id}-error` : undefined}
        className={cn(control, "mt-1 min-h-28", invalid ? "border-red-500" : "border-slate-300")}
        {...props}
      />
    </FieldShell>
  );
}

/** A search box for a filter form (type search, the kit's 40px height); label it with a `<label htmlFor>`. */
export function SearchInput({ className, ...props }: Omit<InputHTMLAttributes<HTMLInputElement>, "type">) {
  return (
    <input
      type="search"
      className={cn(
        "block h-10 w-full rounded-md border border-slate-300 bg-white px-3 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none",
        className,
      )}
      {...props}
    />
  );
}

export function Checkbox({
  label,
  errors,
  className,
  ...props
}: Omit<InputHTMLAttributes<HTMLInputElement>, "type"> & { label: ReactNode; errors?: string[] | null; ref?: Ref<HTMLInputElement> }) {
  const id = useId();
  const invalid = Boolean(errors?.length);
  return (
    <div className={className}>
      <div className="flex items-start gap-3">
        <input
          id={id}
          type="checkbox"
          aria-invalid={invalid || undefined}
          aria-describedby={invalid ? `${id}-error` : undefined}
          className="mt-0.5 size-4 rounded border-slate-300 text-brand-700 accent-brand-700"
          {...props}
        />
        <label htmlFor={id} className="text-sm text-slate-700">
          {label}
        </label>
      </div>
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}
