"use client";

import { Command as CommandPrimitive } from "cmdk";
import { CheckIcon, ChevronDownIcon, ChevronsUpDownIcon } from "lucide-react";
import { useId, useLayoutEffect, useMemo, useRef, useState, type FocusEvent, type ReactNode } from "react";
import { cn } from "./cn";
import { Command, CommandEmpty, CommandGroup, CommandInput, CommandItem, CommandList } from "./command";
import { FieldError } from "./field";
import { Popover, PopoverAnchor, PopoverContent, PopoverTrigger } from "./popover";

export interface ComboboxOption {
  value: string;
  label: string;
  /** More words the search matches (e.g. a base currency, an exchange prefix). */
  keywords?: string[];
  /** A right-hand note in the option (e.g. the market). */
  description?: ReactNode;
  disabled?: boolean;
}

export const controlClass =
  "flex h-10 w-full items-center justify-between gap-2 rounded-md border bg-white px-3 text-left text-sm text-slate-900 shadow-xs focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none focus-visible:outline-none disabled:cursor-not-allowed disabled:bg-slate-100 data-[placeholder]:text-slate-400";

export interface ComboboxProps<O extends ComboboxOption> {
  options: O[];
  /** The chosen option's value, or null. */
  value: string | null;
  onValueChange: (value: string | null, option: O | null) => void;
  label: string;
  hideLabel?: boolean;
  /** Help under the field (shown while there is no error). */
  hint?: ReactNode;
  errors?: string[] | null;
  /** Submits the value in a form (a hidden input). */
  name?: string;
  /** The control's id ("button" mode; in "input" mode cmdk gives the input its own id and ties its label to it). */
  id?: string;
  /**
   * "button" (default): a button showing the choice opens a popover with a search box (shadcn's combobox).
   * "input": the field itself is the search box (WAI-ARIA list autocomplete); the list drops down under it. Use it
   * where people type the value (a symbol) more than they pick it.
   */
  mode?: "button" | "input";
  /** The button's text with nothing chosen ("button"), or the field's placeholder ("input"). */
  placeholder?: string;
  /** The search box's placeholder ("button" mode). */
  searchPlaceholder?: string;
  emptyText?: ReactNode;
  /** The search text, if you own it (with onSearchChange). In "input" mode it is the field's text. */
  search?: string;
  onSearchChange?: (text: string) => void;
  /** Ranks and filters the options yourself (cmdk's fuzzy filter is then off). */
  filter?: (options: O[], search: string) => O[];
  /** Shows at most this many options (after filtering). */
  maxOptions?: number;
  renderOption?: (option: O, selected: boolean) => ReactNode;
  /** The listbox's accessible name; default the label. */
  listLabel?: string;
  /** A line under the options (e.g. "Showing 50 of 120; keep typing"). */
  footer?: ReactNode;
  /** Choosing the selected option again clears the value ("button" mode). */
  clearable?: boolean;
  disabled?: boolean;
  required?: boolean;
  className?: string;
  /** Classes for the button or the input. */
  controlClassName?: string;
  contentClassName?: string;
  /** "input" mode: called when the field loses focus (e.g. to accept a fully typed value). */
  onInputBlur?: (event: FocusEvent<HTMLInputElement>) => void;
  /** "input" mode: extra input attributes. */
  inputProps?: { autoCapitalize?: string; spellCheck?: boolean; inputMode?: "text" | "search" };
}

/**
 * A searchable picker on Popover + Command (cmdk): type to filter, arrows to move, Enter to choose, Escape to
 * close (then, in "input" mode, to clear). Labelled by a visible `<label>`; errors and hint are tied to the control
 * with aria-describedby.
 */
export function Combobox<O extends ComboboxOption>(props: ComboboxProps<O>) {
  const autoId = useId();
  const id = props.id ?? `${autoId}-combobox`;
  const [ownSearch, setOwnSearch] = useState("");
  const search = props.search ?? ownSearch;
  const setSearch = (text: string) => {
    if (props.search === undefined) setOwnSearch(text);
    props.onSearchChange?.(text);
  };
  const { filter, options, maxOptions } = props;
  const filtered = useMemo(() => (filter ? filter(options, search) : options), [filter, options, search]);
  const shown = maxOptions ? filtered.slice(0, maxOptions) : filtered;
  const invalid = Boolean(props.errors?.length);
  const describedBy = cn(invalid && `${id}-error`, Boolean(props.hint) && !invalid && `${id}-hint`) || undefined;

  return (
    <div className={props.className}>
      {props.mode === "input" ? (
        // cmdk names its input with its own <label> (it sets the input's id): that label is shown as the field's label.
        <InputCombobox {...props} id={id} shown={shown} search={search} setSearch={setSearch} invalid={invalid} describedBy={describedBy} />
      ) : (
        <>
          <label htmlFor={id} className={cn("block text-sm font-medium text-slate-800", props.hideLabel && "sr-only")}>
            {props.label}
          </label>
          <div className={cn(!props.hideLabel && "mt-1")}>
            <ButtonCombobox {...props} id={id} shown={shown} search={search} setSearch={setSearch} invalid={invalid} describedBy={describedBy} />
          </div>
        </>
      )}
      {props.name ? <input type="hidden" name={props.name} value={props.value ?? ""} /> : null}
      {props.hint && !invalid ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {props.hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} messages={props.errors} />
    </div>
  );
}

type Inner<O extends ComboboxOption> = ComboboxProps<O> & {
  id: string;
  shown: O[];
  search: string;
  setSearch: (text: string) => void;
  invalid: boolean;
  describedBy: string | undefined;
};

function Options<O extends ComboboxOption>({
  shown,
  value,
  renderOption,
  onChoose,
}: {
  shown: O[];
  value: string | null;
  renderOption?: (option: O, selected: boolean) => ReactNode;
  onChoose: (option: O) => void;
}) {
  return (
    <CommandGroup>
      {shown.map((o) => {
        const isSelected = o.value === value;
        return (
          <CommandItem
            key={o.value}
            value={o.value}
            keywords={[o.label, ...(o.keywords ?? [])]}
            disabled={o.disabled}
            onSelect={() => onChoose(o)}
            data-checked={isSelected || undefined}
          >
            {renderOption ? (
              renderOption(o, isSelected)
            ) : (
              <span className="flex min-w-0 flex-1 items-center justify-between gap-2">
                <span className="truncate">{o.label}</span>
                {o.description ? <span className="shrink-0 text-xs text-slate-500">{o.description}</span> : null}
              </span>
            )}
            <CheckIcon className={cn("size-4 text-brand-700", isSelected ? "opacity-100" : "opacity-0")} aria-hidden="true" />
          </CommandItem>
        );
      })}
    </CommandGroup>
  );
}

function ButtonCombobox<O extends ComboboxOption>(p: Inner<O>) {
  const [open, setOpen] = useState(false);
  const popupId = `${p.id}-popup`;
  const selected = p.options.find((o) => o.value === p.value) ?? null;
  const choose = (option: O) => {
    const next = p.clearable && option.value === p.value ? null : option;
    p.onValueChange(next?.value ?? null, next);
    setOpen(false);
  };
  return (
    <Popover open={open} onOpenChange={setOpen}>
      <PopoverTrigger asChild>
        <button
          id={p.id}
          type="button"
          role="combobox"
          aria-expanded={open}
          aria-controls={popupId}
          aria-invalid={p.invalid || undefined}
          aria-required={p.required || undefined}
          aria-describedby={p.describedBy}
          data-placeholder={selected ? undefined : ""}
          disabled={p.disabled}
          className={cn(controlClass, p.invalid ? "border-red-500" : "border-slate-300", p.controlClassName)}
        >
          <span className="truncate">{selected ? selected.label : (p.placeholder ?? "Select…")}</span>
          <ChevronsUpDownIcon className="size-4 shrink-0 text-slate-400" aria-hidden="true" />
        </button>
      </PopoverTrigger>
      <PopoverContent id={popupId} align="start" className={cn("w-(--radix-popover-trigger-width) min-w-56 p-0", p.contentClassName)}>
        <Command shouldFilter={!p.filter} label={p.label}>
          <CommandInput placeholder={p.searchPlaceholder ?? "Search…"} value={p.search} onValueChange={p.setSearch} />
          <CommandList label={p.listLabel ?? p.label}>
            <CommandEmpty>{p.emptyText ?? "No matches."}</CommandEmpty>
            <Options shown={p.shown} value={p.value} renderOption={p.renderOption} onChoose={choose} />
          </CommandList>
          {p.footer ? <div className="border-t border-slate-100 px-3 py-1.5 text-xs text-slate-500">{p.footer}</div> : null}
        </Command>
      </PopoverContent>
    </Popover>
  );
}

function InputCombobox<O extends ComboboxOption>(p: Inner<O>) {
  const [open, setOpen] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const anchorRef = useRef<HTMLDivElement>(null);
  const popupId = `${p.id}-popup`;
  // cmdk's input always says aria-expanded="true" and names its own list; say what is true (React does not touch
  // attributes whose prop did not change, so this stays until the next render).
  useLayoutEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.setAttribute("aria-expanded", String(open));
    if (!open) input.removeAttribute("aria-activedescendant");
  });
  const choose = (option: O) => {
    p.onValueChange(option.value, option);
    p.setSearch(option.label);
    setOpen(false);
  };
  return (
    <Command
      shouldFilter={!p.filter}
      label={p.label}
      className={cn(
        "overflow-visible bg-transparent",
        // cmdk hides its label with inline styles; !important shows it as the form's label style.
        !p.hideLabel &&
          "[&_[cmdk-label]]:static! [&_[cmdk-label]]:m-0! [&_[cmdk-label]]:block [&_[cmdk-label]]:h-auto! [&_[cmdk-label]]:w-auto! [&_[cmdk-label]]:overflow-visible! [&_[cmdk-label]]:[clip:auto]! [&_[cmdk-label]]:text-sm [&_[cmdk-label]]:font-medium [&_[cmdk-label]]:whitespace-normal! [&_[cmdk-label]]:text-slate-800",
      )}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          if (open) {
            e.preventDefault();
            setOpen(false);
          } else if (p.search) {
            e.preventDefault();
            p.setSearch("");
            p.onValueChange(null, null);
          }
        } else if ((e.key === "ArrowDown" || e.key === "ArrowUp") && !open) {
          setOpen(true);
        } else if (e.key === "Enter" && !open) {
          // Nothing is listed: let Enter submit the form as in a plain field.
        } else if (e.key === "Tab") {
          setOpen(false);
        }
      }}
    >
      <Popover open={open} onOpenChange={setOpen}>
        <PopoverAnchor asChild>
          <div ref={anchorRef} className={cn("relative", !p.hideLabel && "mt-1")}>
            <CommandPrimitive.Input
              ref={inputRef}
              value={p.search}
              onValueChange={(text) => {
                p.setSearch(text);
                setOpen(true);
              }}
              onClick={() => setOpen(true)}
              onBlur={(e) => {
                setOpen(false);
                p.onInputBlur?.(e);
              }}
              aria-invalid={p.invalid || undefined}
              aria-required={p.required || undefined}
              aria-describedby={p.describedBy}
              aria-controls={popupId}
              placeholder={p.placeholder}
              disabled={p.disabled}
              autoCapitalize={p.inputProps?.autoCapitalize}
              spellCheck={p.inputProps?.spellCheck ?? false}
              inputMode={p.inputProps?.inputMode}
              className={cn(
                "block h-10 w-full rounded-md border bg-white py-2 pr-9 pl-3 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none focus-visible:outline-none disabled:bg-slate-100",
                p.invalid ? "border-red-500" : "border-slate-300",
                p.controlClassName,
              )}
            />
            <ChevronDownIcon className="pointer-events-none absolute top-1/2 right-3 size-4 -translate-y-1/2 text-slate-400" aria-hidden="true" />
          </div>
        </PopoverAnchor>
        <PopoverContent
          id={popupId}
          align="start"
          className={cn("w-(--radix-popover-trigger-width) min-w-56 overflow-hidden p-0", p.contentClassName)}
          // Focus stays in the field: the list is navigated with aria-activedescendant.
          onOpenAutoFocus={(e) => e.preventDefault()}
          onCloseAutoFocus={(e) => e.preventDefault()}
          // The field's own Escape handling closes the list first and clears on the next Escape; the popover's
          // document-level Escape would close it before that runs, so the first Escape would clear the text.
          onEscapeKeyDown={(e) => e.preventDefault()}
          onInteractOutside={(e) => {
            if (anchorRef.current?.contains(e.target as Node)) e.preventDefault();
          }}
          // Keeps focus in the field while an option is clicked.
          onMouseDown={(e) => e.preventDefault()}
        >
          <CommandList label={p.listLabel ?? p.label}>
            <CommandEmpty>{p.emptyText ?? "No matches."}</CommandEmpty>
            <Options shown={p.shown} value={p.value} renderOption={p.renderOption} onChoose={choose} />
          </CommandList>
          {p.footer ? <div className="border-t border-slate-100 px-3 py-1.5 text-xs text-slate-500">{p.footer}</div> : null}
        </PopoverContent>
      </Popover>
    </Command>
  );
}
