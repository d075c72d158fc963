"use client";
// A trace's spans as a tree (children indented under their parent, siblings by start time) with a
// waterfall bar per span on the trace's time axis. Each span is a button that selects it; the
// arrow keys (and Home/End) move the selection through the list.
import type { KeyboardEvent } from "react";
import { cn } from "@/components/ui";
import { AlertCircleIcon } from "@/components/ui/icons";
import { ShieldIcon, SparkIcon } from "@/components/ui/icons";
import { formatMs, modelCallLabel, waterfall, type TreeRow } from "./model";

const INDENT_PX = 14;

export function SpanTree({
  rows,
  totalMs,
  selected,
  onSelect,
}: {
  rows: TreeRow[];
  totalMs: number;
  selected: string | null;
  onSelect: (spanId: string) => void;
}) {
  function onKeyDown(e: KeyboardEvent<HTMLUListElement>) {
    const index = rows.findIndex((r) => r.span.spanId === selected);
    const next = e.key === "ArrowDown" ? index + 1 : e.key === "ArrowUp" ? index - 1 : e.key === "Home" ? 0 : e.key === "End" ? rows.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const row = rows[Math.min(Math.max(next, 0), rows.length - 1)];
    if (!row) return;
    onSelect(row.span.spanId);
    e.currentTarget.querySelector<HTMLButtonElement>(`[data-span="${row.span.spanId}"]`)?.focus();
  }

  return (
    <div>
      <div
        aria-hidden="true"
        className="grid grid-cols-[minmax(0,1fr)_35%_4.5rem] items-center gap-2 border-b border-zinc-100 px-3 py-1.5 text-[11px] text-zinc-500"
      >
        <span>Span</span>
        <span className="flex justify-between">
          <span>0</span>
          <span>{formatMs(totalMs / 2)}</span>
          <span>{formatMs(totalMs)}</span>
        </span>
        <span className="text-right">Duration</span>
      </div>
      <ul aria-label="Spans" className="flex flex-col py-1" onKeyDown={onKeyDown}>
        {rows.map(({ span, depth }) => {
          const bar = waterfall(span.offsetMs, span.durationMs, totalMs);
          const isSelected = span.spanId === selected;
          const failed = span.statusCode === 2;
          const blocked = span.guardrails.some((g) => g.action === "block");
          return (
            <li key={span.spanId}>
              <button
                type="button"
                data-span={span.spanId}
                aria-current={isSelected ? "true" : undefined}
                onClick={() => onSelect(span.spanId)}
                tabIndex={isSelected || (!selected && depth === 0) ? 0 : -1}
                className={cn(
                  "grid w-full grid-cols-[minmax(0,1fr)_35%_4.5rem] items-center gap-2 px-3 py-1 text-left text-[13px] transition-colors",
                  isSelected ? "bg-accent-soft ring-1 ring-indigo-200 ring-inset" : "hover:bg-zinc-50",
                )}
              >
                <span className="flex min-w-0 items-center gap-1.5" style={{ paddingLeft: depth * INDENT_PX }}>
                  {depth > 0 ? <span aria-hidden="true" className="h-3 w-2 shrink-0 border-b border-l border-zinc-300" /> : null}
                  {span.isGeneration ? <SparkIcon size={13} className="shrink-0 text-indigo-500" /> : null}
                  <span className={cn("truncate", isSelected ? "font-medium text-zinc-900" : "text-zinc-800")} title={span.name}>
                    {span.name}
                  </span>
                  {span.isGeneration ? (
                    <span className="sr-only">
                      , {modelCallLabel(span)?.toLowerCase()}
                      {span.model ? ` (${span.model})` : ""}
                    </span>
                  ) : null}
                  {failed ? (
                    <>
                      <AlertCircleIcon size={13} className="shrink-0 text-red-600" />
                      <span className="sr-only">, failed</span>
                    </>
                  ) : null}
                  {span.guardrails.length ? (
                    <>
                      <ShieldIcon size={13} className={cn("shrink-0", blocked ? "text-red-600" : "text-amber-500")} />
                      <span className="sr-only">, {blocked ? "blocked by a guardrail" : "flagged by a guardrail"}</span>
                    </>
                  ) : null}
                </span>
                <span aria-hidden="true" className="relative h-3.5 rounded-sm bg-zinc-100">
                  <span
                    className={cn("absolute top-0.5 bottom-0.5 rounded-sm", failed ? "bg-red-500" : span.isGeneration ? "bg-indigo-500" : "bg-zinc-400")}
                    style={{ left: `${bar.left}%`, width: `${bar.width}%` }}
                  />
                </span>
                <span className="text-right font-mono text-xs text-zinc-600 tabular-nums">{formatMs(span.durationMs)}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
