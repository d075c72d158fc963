"use client";
// The selected span of a trace: what it called (model, prompt version, tokens, cost), its failure
// and guardrail violations (shown first: they are why people open a trace), the input and output,
// and the raw attributes and events.
import Link from "next/link";
import type { ReactNode } from "react";
import type { SpanView } from "@/server/contracts/observability";
import { Alert, Badge, Card, CardHeader, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { promptHref } from "@/components/prompts/model";
import { BodyView } from "./body-view";
import { GuardrailActionBadge, SourceBadge } from "./badges";
import { attributeText, formatCompact, formatMs, formatUsd, modelCallLabel } from "./model";

const KINDS = ["Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"];

function Section({ id, title, children, aside }: { id: string; title: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <section aria-labelledby={id} className="flex min-w-0 flex-col gap-2 border-t border-zinc-100 px-4 py-3 first:border-t-0">
      <div className="flex items-baseline justify-between gap-2">
        <h3 id={id} className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">
          {title}
        </h3>
        {aside}
      </div>
      {children}
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-[11px] font-medium text-zinc-500">{label}</dt>
      <dd className="text-[13px] break-words text-zinc-900">{children}</dd>
    </div>
  );
}

export function SpanDetails({ span, orgSlug, projectSlug }: { span: SpanView; orgSlug: string; projectSlug: string }) {
  const spanStartUs = Date.parse(span.startTime) * 1000;
  const attributes = Object.entries(span.attributes).sort(([a], [b]) => a.localeCompare(b));
  const none = <span className="text-zinc-500">—</span>;
  const blocked = span.guardrails.some((g) => g.action === "block");
  return (
    <Card aria-labelledby="span-title">
      <CardHeader
        titleId="span-title"
        title={<span className="font-mono break-all">{span.name}</span>}
        description={`${modelCallLabel(span) ?? `${KINDS[span.kind] ?? "Span"} span`} · starts at +${formatMs(span.offsetMs)} · ${formatMs(span.durationMs)}`}
        actions={
          span.statusCode === 2 ? (
            <Badge tone="danger">Error</Badge>
          ) : span.statusCode === 1 ? (
            <Badge tone="success">OK</Badge>
          ) : (
            <Badge tone="outline">Unset</Badge>
          )
        }
      />
      {span.statusCode === 2 ? (
        <div className="px-4 pt-3">
          <Alert tone="error" title="This span failed">
            <span className="break-words">{span.statusMessage || "No status message."}</span>
          </Alert>
        </div>
      ) : null}
      {span.guardrails.length ? (
        <section aria-labelledby="guardrails-title" className="px-4 pt-3">
          <div className={blocked ? "rounded-md border border-red-200 bg-red-50/60" : "rounded-md border border-amber-200 bg-amber-50/60"}>
            <h3
              id="guardrails-title"
              className={blocked ? "px-3 pt-2 text-[13px] font-semibold text-red-800" : "px-3 pt-2 text-[13px] font-semibold text-amber-900"}
            >
              Guardrail {span.guardrails.length === 1 ? "violation" : `violations (${span.guardrails.length})`}
            </h3>
            <ul className="flex flex-col divide-y divide-black/5 px-3 pb-1">
              {span.guardrails.map((g, i) => (
                <li key={i} className="flex flex-wrap items-start gap-x-2 gap-y-1 py-2 text-[13px]">
                  <GuardrailActionBadge action={g.action} />
                  <span className="font-medium text-zinc-900">{g.rule}</span>
                  <span className="text-xs text-zinc-500">
                    {g.kind} · on the {g.stage}
                  </span>
                  {g.detail ? <p className="w-full text-zinc-700">{g.detail}</p> : null}
                </li>
              ))}
            </ul>
          </div>
        </section>
      ) : null}

      <dl className="grid grid-cols-[repeat(auto-fill,minmax(9.5rem,1fr))] gap-x-4 gap-y-3 px-4 py-3">
        <Fact label="Model">{span.model ? <span className="font-mono text-xs">{span.model}</span> : none}</Fact>
        <Fact label="Provider">{span.provider ?? none}</Fact>
        <Fact label="Tokens (in → out)">
          <span className="font-mono text-xs tabular-nums">
            {span.inputTokens === null && span.outputTokens === null
              ? "—"
              : `${formatCompact(span.inputTokens ?? 0)} → ${formatCompact(span.outputTokens ?? 0)}`}
          </span>
        </Fact>
        <Fact label="Cost">
          <span className="font-mono text-xs tabular-nums">{formatUsd(span.costUsd)}</span>
        </Fact>
        <Fact label="Prompt">
          {span.promptName ? (
            <Link
              href={promptHref(orgSlug, projectSlug, span.promptName, undefined, { version: span.promptVersion ?? undefined })}
              className="font-mono text-xs text-accent hover:underline"
            >
              {span.promptName}
              {span.promptVersion ? ` v${span.promptVersion}` : ""}
            </Link>
          ) : (
            none
          )}
        </Fact>
        <Fact label="Environment">{span.environment ? <span className="font-mono text-xs">{span.environment}</span> : none}</Fact>
        <Fact label="Source">
          <SourceBadge source={span.source} />
        </Fact>
        <Fact label="Span id">
          <span className="font-mono text-xs">{span.spanId}</span>
        </Fact>
      </dl>

      <Section id="span-input" title="Input">
        <BodyView raw={span.input} label="Input" />
      </Section>
      <Section id="span-output" title="Output">
        <BodyView raw={span.output} label="Output" />
      </Section>
      <Section id="span-attributes" title="Attributes" aside={<span className="text-xs text-zinc-500">{attributes.length}</span>}>
        {attributes.length === 0 ? (
          <p className="text-[13px] text-zinc-500">None</p>
        ) : (
          <div className="-mx-4">
            <Table caption="Attributes">
              <THead>
                <TR>
                  <TH>Key</TH>
                  <TH>Value</TH>
                </TR>
              </THead>
              <TBody>
                {attributes.map(([k, v]) => (
                  <TR key={k} className="align-top">
                    <TD className="w-1/3 font-mono text-xs break-all text-zinc-500">{k}</TD>
                    <TD className="font-mono text-xs break-all whitespace-pre-wrap text-zinc-800">{attributeText(v)}</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          </div>
        )}
      </Section>
      <Section id="span-events" title="Events" aside={<span className="text-xs text-zinc-500">{span.events.length}</span>}>
        {span.events.length === 0 ? (
          <p className="text-[13px] text-zinc-500">None</p>
        ) : (
          <ol className="flex flex-col gap-2">
            {span.events.map((ev, i) => {
              const entries = Object.entries(ev.attributes);
              return (
                <li key={i} className="rounded-md border border-zinc-200 px-3 py-2">
                  <p className="flex items-baseline justify-between gap-2 text-[13px]">
                    <span className="font-mono font-medium text-zinc-900">{ev.name}</span>
                    <span className="font-mono text-xs text-zinc-500 tabular-nums">+{formatMs(Math.max(0, (ev.timeUs - spanStartUs) / 1000))}</span>
                  </p>
                  {entries.length ? (
                    <dl className="mt-1 flex flex-col gap-0.5">
                      {entries.map(([k, v]) => (
                        <div key={k} className="flex min-w-0 gap-2 text-xs">
                          <dt className="shrink-0 font-mono text-zinc-500">{k}</dt>
                          <dd className="min-w-0 font-mono break-all whitespace-pre-wrap text-zinc-800">{attributeText(v)}</dd>
                        </div>
                      ))}
                    </dl>
                  ) : null}
                </li>
              );
            })}
          </ol>
        )}
      </Section>
    </Card>
  );
}
