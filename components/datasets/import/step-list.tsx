"use client";
// Where the wizard is: the four steps, the current one marked for assistive technology.
import { cn } from "@/components/ui";
import { STEPS } from "./use-import-steps";

export function StepList({ current }: { current: number }) {
  return (
    <ol aria-label="Import steps" className="flex flex-wrap items-center gap-1.5 text-xs">
      {STEPS.map((label, i) => (
        <li key={label} aria-current={i === current ? "step" : undefined} className="flex items-center gap-1.5">
          {i > 0 ? <span aria-hidden="true" className="h-px w-4 bg-zinc-300" /> : null}
          <span
            className={cn(
              "flex items-center gap-1.5 rounded-full px-2 py-0.5 ring-1 ring-inset",
              i === current
                ? "bg-accent-soft font-medium text-indigo-700 ring-indigo-200"
                : i < current
                  ? "text-zinc-600 ring-zinc-200"
                  : "text-zinc-500 ring-zinc-200",
            )}
          >
            <span className="font-mono">{i + 1}</span>
            {label}
            {i < current ? <span className="sr-only"> (done)</span> : null}
          </span>
        </li>
      ))}
    </ol>
  );
}
