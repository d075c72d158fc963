"use client";
// Before/after of an audit event as a line diff of pretty-printed JSON (keys sorted so the diff
// shows changes, not reordering). Added and removed lines carry +/- markers and a hidden word
// for screen readers, not only colour.
import { diffLines } from "diff";
import { useId } from "react";
import { cn } from "@/components/ui";

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function prettyJson(value: unknown): string {
  if (value === null || value === undefined) return "";
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

type Line = { kind: "added" | "removed" | "same"; text: string; oldNo: number | null; newNo: number | null };

export function diffJson(before: unknown, after: unknown): Line[] {
  const lines: Line[] = [];
  let oldNo = 1;
  let newNo = 1;
  for (const part of diffLines(prettyJson(before), prettyJson(after))) {
    const texts = part.value.split("\n");
    if (texts.at(-1) === "") texts.pop();
    for (const text of texts) {
      if (part.added) lines.push({ kind: "added", text, oldNo: null, newNo: newNo++ });
      else if (part.removed) lines.push({ kind: "removed", text, oldNo: oldNo++, newNo: null });
      else lines.push({ kind: "same", text, oldNo: oldNo++, newNo: newNo++ });
    }
  }
  return lines;
}

const styles = {
  added: { row: "bg-emerald-50", marker: "text-emerald-700", text: "text-emerald-900", sr: "added: " },
  removed: { row: "bg-red-50", marker: "text-red-700", text: "text-red-900", sr: "removed: " },
  same: { row: "", marker: "text-zinc-300", text: "text-zinc-700", sr: "" },
};

export function JsonDiff({ before, after }: { before: unknown; after: unknown }) {
  const captionId = useId();
  const lines = diffJson(before, after);
  if (lines.length === 0) {
    return <p className="rounded-md border border-dashed border-zinc-200 px-3 py-4 text-center text-[13px] text-zinc-500">This event records no before or after data.</p>;
  }
  const added = lines.filter((l) => l.kind === "added").length;
  const removed = lines.filter((l) => l.kind === "removed").length;
  return (
    <figure aria-labelledby={captionId} className="overflow-hidden rounded-md border border-zinc-200">
      <figcaption id={captionId} className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-zinc-200 bg-zinc-50 px-3 py-1.5 text-xs text-zinc-600">
        <span className="font-medium text-zinc-800">Before → after</span>
        <span className="font-mono text-emerald-700">+{added} added</span>
        <span className="font-mono text-red-700">−{removed} removed</span>
        {before === null || before === undefined ? <span>no “before”: the event created something</span> : null}
        {after === null || after === undefined ? <span>no “after”: the event removed something</span> : null}
      </figcaption>
      <pre className="max-h-96 overflow-auto bg-white py-1 font-mono text-xs leading-5">
        <code>
          {lines.map((line, i) => {
            const s = styles[line.kind];
            return (
              <span key={i} className={cn("flex min-w-max", s.row)}>
                <span aria-hidden="true" className="w-9 shrink-0 pr-2 text-right text-zinc-400 select-none">
                  {line.oldNo ?? ""}
                </span>
                <span aria-hidden="true" className="w-9 shrink-0 pr-2 text-right text-zinc-400 select-none">
                  {line.newNo ?? ""}
                </span>
                <span className={cn("w-5 shrink-0 text-center font-semibold select-none", s.marker)}>{line.kind === "added" ? "+" : line.kind === "removed" ? "-" : " "}</span>
                <span className="sr-only">{s.sr}</span>
                <span className={cn("pr-4 whitespace-pre", s.text)}>{line.text}</span>
                {"\n"}
              </span>
            );
          })}
        </code>
      </pre>
    </figure>
  );
}
