"use client";

import { CheckIcon, ChevronsUpDownIcon } from "lucide-react";
import { useId, useMemo, useState, type ReactNode } from "react";
import { cn } from "./cn";
import { Command, CommandEmpty, CommandGroup, CommandInput, CommandItem, CommandList } from "./command";
import { FieldError } from "./field";
import { Popover, PopoverContent, PopoverTrigger } from "./popover";

export interface ComboboxOption {
  value: string;
  label: string;
  /** More words the search matches (e.g. a base currency, an exchange prefix). */
  keywords?: string[];
  /** A second line or a right-hand note in the option. */
  description?: ReactNode;
  disabled?: boolean;
}

export const controlClass =
  "flex h-10 w-full items-center justify-between gap-2 rounded-md border bg-white px-3 text-left text-sm text-slate-900 shadow-xs focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none focus-visible:outline-none disabled:cursor-not-allowed disabled:bg-slate-100 data-[placeholder]:text-slate-400";

/**
 * A searchable picker (Popover + Command): a labelled button opens a list with a search box; type to filter, arrows
 * to move, Enter to choose, Escape to close (focus returns to the button). With `name` it also submits the value in a
 * form. Pass `filter` to rank the options yourself (cmdk's fuzzy filter is then off) and `search`/`onSearchChange`
 * to own the search text.
 */
export function Combobox<O extends ComboboxOption>({
  options,
  value,
  onValueChange,
  label,
  hideLabel = false,
  hint,
  errors,
  name,
  id: idProp,
  placeholder = "Select…",
  searchPlaceholder = "Search…",
  emptyText = "No matches.",
  search: searchProp,
  onSearchChange,
  filter,
  maxOptions,
  renderOption,
  clearable = false,
  disabled,
  required,
  className,
  contentClassName,
}: {
  options: O[];
  value: string | null;
  onValueChange: (value: string | null, option: O | null) => void;
  label: string;
  hideLabel?: boolean;
  hint?: ReactNode;
  errors?: string[] | null;
  name?: string;
  id?: string;
  placeholder?: string;
  searchPlaceholder?: string;
  emptyText?: ReactNode;
  search?: string;
  onSearchChange?: (text: string) => void;
  filter?: (options: O[], search: string) => O[];
  maxOptions?: number;
  renderOption?: (option: O, selected: boolean) => ReactNode;
  /** Choosing the selected option again clears the value. */
  clearable?: boolean;
  disabled?: boolean;
  required?: boolean;
  className?: string;
  contentClassName?: string;
}) {
  const autoId = useId();
  const id = idProp ?? `${autoId}-combobox`;
  const hintId = `${id}-hint`;
  const errId = `${id}-error`;
  const popupId = `${id}-popup`;
  const [open, setOpen] = useState(false);
  const [ownSearch, setOwnSearch] = useState("");
  const search = searchProp ?? ownSearch;
  const setSearch = (text: string) => {
    if (searchProp === undefined) setOwnSearch(text);
    onSearchChange?.(text);
  };
  const invalid = Boolean(errors?.length);
  const selected = options.find((o) => o.value === value) ?? null;
  const shown = useMemo(() => {
    const list = filter ? filter(options, search) : options;
    return maxOptions ? list.slice(0, maxOptions) : list;
  }, [filter, options, search, maxOptions]);

  const choose = (option: O) => {
    const next = clearable && option.value === value ? null : option;
    onValueChange(next?.value ?? null, next);
    setOpen(false);
  };

  return (
    <div className={className}>
      <label htmlFor={id} className={cn("block text-sm font-medium text-slate-800", hideLabel && "sr-only")}>
        {label}
      </label>
      <Popover open={open} onOpenChange={setOpen}>
        <PopoverTrigger asChild>
          <button
            id={id}
            type="button"
            role="combobox"
            aria-expanded={open}
            aria-controls={popupId}
            aria-invalid={invalid || undefined}
            aria-required={required || undefined}
            aria-describedby={cn(invalid && errId, Boolean(hint) && !invalid && hintId) || undefined}
            data-placeholder={selected ? undefined : ""}
            disabled={disabled}
            className={cn(controlClass, !hideLabel && "mt-1", invalid ? "border-red-500" : "border-slate-300")}
          >
            <span className="truncate">{selected ? selected.label : placeholder}</span>
            <ChevronsUpDownIcon className="size-4 shrink-0 text-slate-400" aria-hidden="true" />
          </button>
        </PopoverTrigger>
        <PopoverContent id={popupId} align="start" className={cn("w-(--radix-popover-trigger-width) min-w-56 p-0", contentClassName)}>
          <Command shouldFilter={!filter} label={label}>
            <CommandInput placeholder={searchPlaceholder} value={search} onValueChange={setSearch} />
            <CommandList label={label}>
              <CommandEmpty>{emptyText}</CommandEmpty>
              <CommandGroup>
                {shown.map((o) => {
                  const isSelected = o.value === value;
                  return (
                    <CommandItem
                      key={o.value}
                      value={o.value}
                      keywords={[o.label, ...(o.keywords ?? [])]}
                      disabled={o.disabled}
                      onSelect={() => choose(o)}
                      data-checked={isSelected || undefined}
                    >
                      <CheckIcon className={cn("size-4 text-brand-700", isSelected ? "opacity-100" : "opacity-0")} aria-hidden="true" />
                      {renderOption ? (
                        renderOption(o, isSelected)
                      ) : (
                        <span className="flex min-w-0 flex-1 items-center justify-between gap-2">
                          <span className="truncate">{o.label}</span>
                          {o.description ? <span className="shrink-0 text-xs text-slate-500">{o.description}</span> : null}
                        </span>
                      )}
                    </CommandItem>
                  );
                })}
              </CommandGroup>
            </CommandList>
          </Command>
        </PopoverContent>
      </Popover>
      {name ? <input type="hidden" name={name} value={value ?? ""} /> : null}
      {hint && !invalid ? (
        <p id={hintId} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={errId} messages={errors} />
    </div>
  );
}
