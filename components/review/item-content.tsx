"use client";
// What the reviewer judges: the item's input (each field of an object on its own), the expected
// answer when there is one, the output; automatic scores only behind a toggle, so they do not
// anchor the reviewer's own judgement.
import { useId, useState, type ReactNode } from "react";
import { Badge, Button, Card, CardHeader } from "@/components/ui";
import { displayValue } from "./model";

type AutoScore = { name: string; score: number; passed: boolean; explanation?: string };

function asAutoScores(v: unknown): AutoScore[] {
  if (!Array.isArray(v)) return [];
  return v.filter(
    (s): s is AutoScore => !!s && typeof s === "object" && typeof (s as AutoScore).name === "string" && typeof (s as AutoScore).score === "number",
  );
}

function Block({ label, children, tone = "plain" }: { label: string; children: ReactNode; tone?: "plain" | "output" }) {
  return (
    <div className="flex flex-col gap-1">
      <h3 className="text-xs font-medium tracking-wide text-zinc-500 uppercase">{label}</h3>
      <div
        className={
          tone === "output"
            ? "rounded-md border border-indigo-200 bg-indigo-50/40 px-3 py-2 text-[13px] leading-relaxed whitespace-pre-wrap text-zinc-900"
            : "rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 text-[13px] leading-relaxed whitespace-pre-wrap text-zinc-800"
        }
      >
        {children}
      </div>
    </div>
  );
}

function Value({ value }: { value: unknown }) {
  const text = displayValue(value);
  if (!text) return <span className="text-zinc-500 italic">empty</span>;
  return typeof value === "string" ? <>{text}</> : <code className="font-mono text-xs">{text}</code>;
}

export function ItemContent({
  position,
  input,
  expected,
  output,
  autoScores,
  showAutoScores,
  others = [],
}: {
  position: number;
  input: unknown;
  expected: unknown;
  output: string | null;
  autoScores: unknown;
  showAutoScores: boolean;
  /** Other reviewers' grades: only in queues that are not blind. */
  others?: { reviewer: string; grade: Record<string, unknown> }[];
}) {
  const titleId = useId();
  const fields = input && typeof input === "object" && !Array.isArray(input) ? Object.entries(input as Record<string, unknown>) : null;
  return (
    <Card aria-labelledby={titleId}>
      <CardHeader title={`Item #${position}`} titleId={titleId} />
      <div className="flex flex-col gap-4 px-4 py-4">
        {fields && fields.length ? (
          fields.map(([k, v]) => (
            <Block key={k} label={`Input · ${k}`}>
              <Value value={v} />
            </Block>
          ))
        ) : (
          <Block label="Input">
            <Value value={input} />
          </Block>
        )}
        {expected !== null && expected !== undefined ? (
          <Block label="Expected">
            <Value value={expected} />
          </Block>
        ) : null}
        <Block label="Output" tone="output">
          {output === null ? <span className="text-zinc-500 italic">no output</span> : output || <span className="text-zinc-500 italic">empty</span>}
        </Block>
        {showAutoScores ? <AutoScores scores={asAutoScores(autoScores)} /> : null}
        {others.length ? (
          <Block label="Other reviewers' grades (this queue is not blind)">
            <ul className="flex flex-col gap-1 text-[13px]">
              {others.map((o) => (
                <li key={o.reviewer}>
                  <span className="font-medium text-zinc-800">{o.reviewer}</span>:{" "}
                  <span className="font-mono text-xs text-zinc-600">
                    {Object.entries(o.grade)
                      .map(([k, v]) => `${k} ${String(v)}`)
                      .join(" · ")}
                  </span>
                </li>
              ))}
            </ul>
          </Block>
        ) : null}
      </div>
    </Card>
  );
}

function AutoScores({ scores }: { scores: AutoScore[] }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  return (
    <div className="flex flex-col gap-2 border-t border-zinc-100 pt-3">
      <div>
        <Button size="sm" variant="ghost" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((o) => !o)} className="-ml-2">
          {open ? "Hide automatic scores" : "Show automatic scores"}
        </Button>
      </div>
      <div id={panelId} hidden={!open}>
        {scores.length ? (
          <ul className="flex flex-col gap-1.5 text-[13px]">
            {scores.map((s) => (
              <li key={s.name} className="flex flex-wrap items-baseline gap-2">
                <span className="font-medium text-zinc-800">{s.name}</span>
                <span className="font-mono text-xs text-zinc-600">{s.score.toFixed(2)}</span>
                <Badge tone={s.passed ? "success" : "danger"}>{s.passed ? "passed" : "failed"}</Badge>
                {s.explanation ? <span className="text-xs text-zinc-500">{s.explanation}</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-[13px] text-zinc-500">No automatic scores for this item.</p>
        )}
      </div>
    </div>
  );
}
