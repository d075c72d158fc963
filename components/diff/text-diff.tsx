"use client";
// A unified line diff (jsdiff diffLines) with an optional word-level pass (diffWords) inside each
// changed line pair. Used for audit before/after JSON and for prompt templates. Added and removed
// lines carry +/- markers and a hidden word for screen readers; changed words are underlined or
// struck through as well as coloured, so nothing depends on colour alone.
import { diffLines, diffWords } from "diff";
import { useId, type ReactNode } from "react";
import { cn, ScrollArea } from "@/components/ui";

export type WordPart = { text: string; changed: boolean };
export type DiffLine = { kind: "added" | "removed" | "same"; text: string; oldNo: number | null; newNo: number | null; words?: WordPart[] };

function withFinalNewline(text: string): string {
  return text === "" || text.endsWith("\n") ? text : `${text}\n`;
}

/** Line diff of two texts; with `words`, each removed line paired with an added one gets word parts. */
export function diffText(before: string, after: string, { words = true }: { words?: boolean } = {}): DiffLine[] {
  const lines: DiffLine[] = [];
  let oldNo = 1;
  let newNo = 1;
  for (const part of diffLines(withFinalNewline(before), withFinalNewline(after))) {
    const texts = part.value.split("\n");
    if (texts.at(-1) === "") texts.pop();
    for (const text of texts) {
      if (part.added) lines.push({ kind: "added", text, oldNo: null, newNo: newNo++ });
      else if (part.removed) lines.push({ kind: "removed", text, oldNo: oldNo++, newNo: null });
      else lines.push({ kind: "same", text, oldNo: oldNo++, newNo: newNo++ });
    }
  }
  if (words) pairWords(lines);
  return lines;
}

// jsdiff reports a change as a run of removed lines followed by a run of added ones: the i-th
// removed line is compared word by word with the i-th added line.
function pairWords(lines: DiffLine[]) {
  let i = 0;
  while (i < lines.length) {
    if (lines[i]!.kind !== "removed") {
      i++;
      continue;
    }
    const removedStart = i;
    while (i < lines.length && lines[i]!.kind === "removed") i++;
    const addedStart = i;
    while (i < lines.length && lines[i]!.kind === "added") i++;
    const pairs = Math.min(addedStart - removedStart, i - addedStart);
    for (let k = 0; k < pairs; k++) {
      const removed = lines[removedStart + k]!;
      const added = lines[addedStart + k]!;
      const parts = diffWords(removed.text, added.text);
      removed.words = parts.filter((p) => !p.added).map((p) => ({ text: p.value, changed: !!p.removed }));
      added.words = parts.filter((p) => !p.removed).map((p) => ({ text: p.value, changed: !!p.added }));
    }
  }
}

export function diffStats(lines: DiffLine[]) {
  return { added: lines.filter((l) => l.kind === "added").length, removed: lines.filter((l) => l.kind === "removed").length };
}

const styles = {
  added: {
    row: "bg-emerald-50",
    marker: "text-emerald-700",
    text: "text-emerald-900",
    word: "rounded-sm bg-emerald-200/80 underline decoration-emerald-700/60 underline-offset-2",
    sr: "added: ",
  },
  removed: {
    row: "bg-red-50",
    marker: "text-red-700",
    text: "text-red-900",
    word: "rounded-sm bg-red-200/80 line-through decoration-red-700/60",
    sr: "removed: ",
  },
  same: { row: "", marker: "text-zinc-300", text: "text-zinc-700", word: "", sr: "" },
};

/** The diff lines in a <pre>, with old and new line numbers. */
export function DiffLines({ lines, className }: { lines: DiffLine[]; className?: string }) {
  return (
    <ScrollArea as="pre" className={cn("overflow-auto bg-white py-1 font-mono text-xs leading-5", className)}>
      <code>
        {lines.map((line, i) => {
          const s = styles[line.kind];
          return (
            <span key={i} className={cn("flex min-w-max", s.row)} data-diff={line.kind}>
              <span aria-hidden="true" className="w-9 shrink-0 pr-2 text-right text-zinc-500 select-none">
                {line.oldNo ?? ""}
              </span>
              <span aria-hidden="true" className="w-9 shrink-0 pr-2 text-right text-zinc-500 select-none">
                {line.newNo ?? ""}
              </span>
              <span className={cn("w-5 shrink-0 text-center font-semibold select-none", s.marker)}>
                {line.kind === "added" ? "+" : line.kind === "removed" ? "-" : " "}
              </span>
              <span className="sr-only">{s.sr}</span>
              <span className={cn("pr-4 whitespace-pre", s.text)}>
                {line.words
                  ? line.words.map((w, j) =>
                      w.changed ? (
                        line.kind === "added" ? (
                          <ins key={j} className={s.word}>
                            {w.text}
                          </ins>
                        ) : (
                          <del key={j} className={s.word}>
                            {w.text}
                          </del>
                        )
                      ) : (
                        <span key={j}>{w.text}</span>
                      ),
                    )
                  : line.text || " "}
              </span>
              {"\n"}
            </span>
          );
        })}
      </code>
    </ScrollArea>
  );
}

/**
 * A captioned diff of two texts. `title` names the figure (e.g. "Version 1 → version 3");
 * `notes` add context to the caption.
 */
export function TextDiff({
  before,
  after,
  title,
  notes,
  words = true,
  empty = "Nothing to compare.",
  identical = "No changes.",
  maxHeight = "max-h-[32rem]",
}: {
  before: string;
  after: string;
  title: ReactNode;
  notes?: ReactNode;
  words?: boolean;
  empty?: ReactNode;
  identical?: ReactNode;
  maxHeight?: string;
}) {
  const captionId = useId();
  const lines = diffText(before, after, { words });
  const { added, removed } = diffStats(lines);
  return (
    <figure aria-labelledby={captionId} className="overflow-hidden rounded-md border border-zinc-200">
      <figcaption id={captionId} className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-zinc-200 bg-zinc-50 px-3 py-1.5 text-xs text-zinc-600">
        <span className="font-medium text-zinc-800">{title}</span>
        <span className="font-mono text-emerald-700">+{added} added</span>
        <span className="font-mono text-red-700">−{removed} removed</span>
        {lines.length > 0 && added === 0 && removed === 0 ? <span>{identical}</span> : null}
        {notes}
      </figcaption>
      {lines.length === 0 ? <p className="px-3 py-4 text-center text-[13px] text-zinc-500">{empty}</p> : <DiffLines lines={lines} className={maxHeight} />}
    </figure>
  );
}
