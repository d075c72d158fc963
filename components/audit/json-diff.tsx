"use client";
// Before/after of an audit event as a line diff of pretty-printed JSON (keys sorted so the diff
// shows changes, not reordering), rendered by the shared diff view (+/- markers, not only colour).
import { TextDiff } from "@/components/diff/text-diff";

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

export function JsonDiff({ before, after }: { before: unknown; after: unknown }) {
  const noBefore = before === null || before === undefined;
  const noAfter = after === null || after === undefined;
  if (noBefore && noAfter) {
    return (
      <p className="rounded-md border border-dashed border-zinc-200 px-3 py-4 text-center text-[13px] text-zinc-500">
        This event records no before or after data.
      </p>
    );
  }
  return (
    <TextDiff
      before={prettyJson(before)}
      after={prettyJson(after)}
      title="Before → after"
      words={false}
      maxHeight="max-h-96"
      notes={
        <>
          {noBefore ? <span>no “before”: the event created something</span> : null}
          {noAfter ? <span>no “after”: the event removed something</span> : null}
        </>
      }
    />
  );
}
