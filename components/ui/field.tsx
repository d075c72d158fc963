"use client";
// Form controls with a visible label, an optional hint and an error, wired together with
// aria-describedby / aria-invalid so assistive technology reads the error with the field.
import { useId, type ComponentProps, type ReactNode } from "react";
import { cn } from "./cn";
import { ChevronDownIcon } from "./icons";

type FieldChrome = {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  /** Keeps the label for assistive technology only (dense table cells). */
  hideLabel?: boolean;
  /** Extra classes for the wrapper. */
  wrapperClassName?: string;
  /** Content placed after the label on the same line (e.g. "optional"). */
  labelAside?: ReactNode;
};

export const controlClasses =
  "block w-full rounded-md border bg-white px-2.5 text-sm text-zinc-900 shadow-xs placeholder:text-zinc-500 " +
  "transition-colors focus:outline-none focus-visible:outline-none focus:ring-2 focus:ring-accent-ring/30 " +
  "disabled:cursor-not-allowed disabled:bg-zinc-50 disabled:text-zinc-500";

function borderFor(invalid: boolean) {
  return invalid ? "border-red-500 focus:border-red-500 focus:ring-red-500/25" : "border-zinc-300 hover:border-zinc-400 focus:border-accent-ring";
}

function useFieldIds(id: string | undefined, hint: ReactNode, error: string | null | undefined, describedBy?: string) {
  const generated = useId();
  const controlId = id ?? `f${generated}`;
  // The error replaces the hint while it is shown (they usually say the same thing).
  const hintId = hint && !error ? `${controlId}-hint` : undefined;
  const errorId = error ? `${controlId}-error` : undefined;
  const describedByIds = [describedBy, errorId, hintId].filter(Boolean).join(" ") || undefined;
  return { controlId, hintId, errorId, describedByIds };
}

function FieldFrame({
  controlId,
  label,
  hint,
  hintId,
  error,
  errorId,
  hideLabel,
  wrapperClassName,
  labelAside,
  children,
}: FieldChrome & { controlId: string; hintId?: string; errorId?: string; children: ReactNode }) {
  return (
    <div className={cn("flex flex-col gap-1.5", wrapperClassName)}>
      <div className={cn("flex items-baseline justify-between gap-2", hideLabel && "sr-only")}>
        <label htmlFor={controlId} className="text-[13px] font-medium text-zinc-800">
          {label}
        </label>
        {labelAside}
      </div>
      {children}
      {error ? (
        <p id={errorId} className="max-w-xs text-xs text-red-700">
          {error}
        </p>
      ) : null}
      {hint && !error ? (
        <p id={hintId} className="text-xs text-zinc-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

type InputProps = Omit<ComponentProps<"input">, "size"> & FieldChrome;

export function Input({ label, hint, error, hideLabel, wrapperClassName, labelAside, id, className, "aria-describedby": describedBy, ...props }: InputProps) {
  const ids = useFieldIds(id, hint, error, describedBy);
  return (
    <FieldFrame
      controlId={ids.controlId}
      label={label}
      hint={hint}
      hintId={ids.hintId}
      error={error}
      errorId={ids.errorId}
      hideLabel={hideLabel}
      wrapperClassName={wrapperClassName}
      labelAside={labelAside}
    >
      <input
        id={ids.controlId}
        aria-invalid={error ? true : undefined}
        aria-describedby={ids.describedByIds}
        className={cn(controlClasses, "h-8", borderFor(!!error), props.readOnly && "bg-zinc-50 text-zinc-700", className)}
        {...props}
      />
    </FieldFrame>
  );
}

type TextareaProps = ComponentProps<"textarea"> & FieldChrome;

export function Textarea({
  label,
  hint,
  error,
  hideLabel,
  wrapperClassName,
  labelAside,
  id,
  className,
  "aria-describedby": describedBy,
  ...props
}: TextareaProps) {
  const ids = useFieldIds(id, hint, error, describedBy);
  return (
    <FieldFrame
      controlId={ids.controlId}
      label={label}
      hint={hint}
      hintId={ids.hintId}
      error={error}
      errorId={ids.errorId}
      hideLabel={hideLabel}
      wrapperClassName={wrapperClassName}
      labelAside={labelAside}
    >
      <textarea
        id={ids.controlId}
        aria-invalid={error ? true : undefined}
        aria-describedby={ids.describedByIds}
        className={cn(controlClasses, "min-h-20 py-1.5", borderFor(!!error), className)}
        {...props}
      />
    </FieldFrame>
  );
}

type SelectProps = Omit<ComponentProps<"select">, "size"> &
  FieldChrome & { size?: "sm" | "md"; /** Classes for the box around the select (e.g. its width). */ boxClassName?: string };

export function Select({
  label,
  hint,
  error,
  hideLabel,
  wrapperClassName,
  labelAside,
  id,
  className,
  boxClassName,
  size = "md",
  children,
  "aria-describedby": describedBy,
  ...props
}: SelectProps) {
  const ids = useFieldIds(id, hint, error, describedBy);
  return (
    <FieldFrame
      controlId={ids.controlId}
      label={label}
      hint={hint}
      hintId={ids.hintId}
      error={error}
      errorId={ids.errorId}
      hideLabel={hideLabel}
      wrapperClassName={wrapperClassName}
      labelAside={labelAside}
    >
      <div className={cn("relative", boxClassName)}>
        <select
          id={ids.controlId}
          aria-invalid={error ? true : undefined}
          aria-describedby={ids.describedByIds}
          className={cn(controlClasses, "appearance-none pr-7", size === "sm" ? "h-7 text-[13px]" : "h-8", borderFor(!!error), className)}
          {...props}
        >
          {children}
        </select>
        <ChevronDownIcon size={14} className="pointer-events-none absolute top-1/2 right-2 -translate-y-1/2 text-zinc-500" />
      </div>
    </FieldFrame>
  );
}

type CheckboxProps = Omit<ComponentProps<"input">, "type"> & { label: ReactNode; description?: ReactNode };

/** A checkbox with its label (and an optional description read as its description). */
export function Checkbox({ label, description, id, className, ...props }: CheckboxProps) {
  const generated = useId();
  const controlId = id ?? `c${generated}`;
  const descriptionId = description ? `${controlId}-description` : undefined;
  return (
    <div className={cn("flex items-start gap-2.5", className)}>
      <input
        id={controlId}
        type="checkbox"
        aria-describedby={descriptionId}
        className="mt-0.5 size-4 shrink-0 rounded border-zinc-300 accent-[var(--color-accent)]"
        {...props}
      />
      <div className="flex flex-col gap-0.5 leading-tight">
        <label htmlFor={controlId} className="text-[13px] font-medium text-zinc-800">
          {label}
        </label>
        {description ? (
          <p id={descriptionId} className="text-xs text-zinc-500">
            {description}
          </p>
        ) : null}
      </div>
    </div>
  );
}
