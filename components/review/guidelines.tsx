"use client";
// The queue's grading guidelines, written by the lead in Markdown. Rendered with react-markdown:
// raw HTML is skipped and link targets pass its safe-URL filter (no javascript: links).
import { useId } from "react";
import Markdown, { type Components } from "react-markdown";
import { Card, CardHeader, ScrollArea } from "@/components/ui";

const components: Components = {
  h1: ({ children }) => <h3 className="mt-3 mb-1.5 text-sm font-semibold text-zinc-900 first:mt-0">{children}</h3>,
  h2: ({ children }) => <h3 className="mt-3 mb-1.5 text-sm font-semibold text-zinc-900 first:mt-0">{children}</h3>,
  h3: ({ children }) => <h4 className="mt-3 mb-1 text-[13px] font-semibold text-zinc-900 first:mt-0">{children}</h4>,
  h4: ({ children }) => <h4 className="mt-2 mb-1 text-[13px] font-semibold text-zinc-900 first:mt-0">{children}</h4>,
  p: ({ children }) => <p className="my-2 first:mt-0 last:mb-0">{children}</p>,
  ul: ({ children }) => <ul className="my-2 list-disc space-y-1 pl-5">{children}</ul>,
  ol: ({ children }) => <ol className="my-2 list-decimal space-y-1 pl-5">{children}</ol>,
  a: ({ children, href }) => (
    <a href={href} target="_blank" rel="noopener noreferrer" className="font-medium text-accent underline underline-offset-2 hover:text-accent-hover">
      {children}
    </a>
  ),
  code: ({ children }) => <code className="rounded bg-zinc-100 px-1 py-px font-mono text-[12px] text-zinc-800">{children}</code>,
  pre: ({ children }) => (
    <ScrollArea as="pre" className="my-2 overflow-x-auto rounded-md bg-zinc-50 p-2 text-xs">
      {children}
    </ScrollArea>
  ),
  blockquote: ({ children }) => <blockquote className="my-2 border-l-2 border-zinc-300 pl-3 text-zinc-600">{children}</blockquote>,
  img: ({ alt }) => <span className="text-zinc-500">[image: {alt || "no description"}]</span>,
};

export function Guidelines({ markdown }: { markdown: string }) {
  const titleId = useId();
  return (
    <Card aria-labelledby={titleId}>
      <CardHeader title="Guidelines" titleId={titleId} />
      <div className="px-4 py-3 text-[13px] leading-relaxed text-zinc-700">
        {markdown.trim() ? (
          <Markdown skipHtml components={components}>
            {markdown}
          </Markdown>
        ) : (
          <p className="text-zinc-500">The lead has not written guidelines for this queue.</p>
        )}
      </div>
    </Card>
  );
}
