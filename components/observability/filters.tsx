"use client";
// Pieces of the filter bars of the dashboard and the trace explorer: the time window (a group of
// toggle buttons) and a select of values seen in the window that keeps showing a value from the
// address even when the window no longer has it.
import type { WindowName } from "@/server/contracts/observability";
import { Select, cn } from "@/components/ui";
import { WINDOW_OPTIONS } from "./model";

export function WindowPicker({ value, onChange }: { value: WindowName; onChange: (w: WindowName) => void }) {
  return (
    <div role="group" aria-label="Time window" className="flex rounded-md border border-zinc-300 bg-white p-0.5 shadow-xs">
      {WINDOW_OPTIONS.map((w) => (
        <button
          key={w.name}
          type="button"
          title={w.label}
          aria-label={`${w.name} (${w.label})`}
          aria-pressed={value === w.name}
          onClick={() => onChange(w.name)}
          className={cn(
            "rounded px-2.5 py-1 text-xs font-medium tabular-nums transition-colors",
            value === w.name ? "bg-zinc-900 text-white" : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900",
          )}
        >
          {w.name}
        </button>
      ))}
    </div>
  );
}

/** A filter select: "All …" first, then the values seen, then the current value if it is not among them. */
export function OptionSelect({
  label,
  allLabel,
  value,
  options,
  onChange,
  disabled,
  className = "w-48",
  render = (v) => v,
}: {
  label: string;
  allLabel: string;
  value: string;
  options: readonly string[];
  onChange: (v: string) => void;
  disabled?: boolean;
  className?: string;
  render?: (v: string) => string;
}) {
  return (
    <Select label={label} size="sm" value={value} onChange={(e) => onChange(e.target.value)} boxClassName={className} disabled={disabled}>
      <option value="">{allLabel}</option>
      {options.map((o) => (
        <option key={o} value={o}>
          {render(o)}
        </option>
      ))}
      {value && !options.includes(value) ? <option value={value}>{render(value)}</option> : null}
    </Select>
  );
}
