// A template shown read-only, with its {{variables}} marked (the same pattern the server uses).
import { Fragment } from "react";
import { cn, ScrollArea } from "@/components/ui";

const PLACEHOLDER = /(\{\{\s*[A-Za-z_][\w.-]*\s*\}\})/g;

export function TemplateText({ text, className, label }: { text: string; className?: string; label?: string }) {
  const parts = text.split(PLACEHOLDER);
  return (
    <ScrollArea
      as="pre"
      label={label}
      className={cn(
        "overflow-auto rounded-md border border-zinc-200 bg-zinc-50/60 px-3 py-2 font-mono text-[12.5px] leading-relaxed whitespace-pre-wrap text-zinc-800",
        className,
      )}
    >
      {text === "" ? (
        <span className="text-zinc-500 italic">(empty)</span>
      ) : (
        parts.map((part, i) =>
          i % 2 === 1 ? (
            <mark key={i} className="rounded-[3px] bg-indigo-50 font-medium text-indigo-700 ring-1 ring-indigo-200 ring-inset">
              {part}
            </mark>
          ) : (
            <Fragment key={i}>{part}</Fragment>
          ),
        )
      )}
    </ScrollArea>
  );
}

/** A version's variables with what it declares about each: description, and its default or "required". */
export function VariableDetailsList({ variables, details, emptyText = "No variables." }: { variables: string[]; details: unknown; emptyText?: string }) {
  if (variables.length === 0) return <p className="text-xs text-zinc-500">{emptyText}</p>;
  const declared = (details && typeof details === "object" ? details : {}) as Record<string, { description?: string; default?: string | null } | undefined>;
  return (
    <dl className="flex flex-col gap-1.5" aria-label="Variables">
      {variables.map((name) => {
        const d = Object.hasOwn(declared, name) ? declared[name] : undefined;
        const dflt = typeof d?.default === "string" ? d.default : null;
        return (
          <div key={name} className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 text-xs">
            <dt className="inline-flex h-5 items-center rounded bg-indigo-50 px-1.5 font-mono text-[11px] font-medium text-indigo-700 ring-1 ring-indigo-200 ring-inset">
              {name}
            </dt>
            <dd className="text-zinc-700">
              {dflt === null ? (
                <span className="text-zinc-600">required</span>
              ) : (
                <>
                  default <span className="rounded bg-zinc-100 px-1 font-mono text-zinc-800">{dflt === "" ? "(empty text)" : dflt}</span>
                </>
              )}
              {d?.description ? <span className="text-zinc-600"> · {d.description}</span> : null}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
