"use client";
// What the dashboard and the trace list show before a project has any telemetry: the two ways in
// (an OpenTelemetry exporter pointed at the OTLP endpoint, or model calls through the gateway),
// with the key scope each needs and links to the API keys and the API reference.
import Link from "next/link";
import { useSyncExternalStore, type ReactNode } from "react";
import { ButtonLink, Card, ScrollArea } from "@/components/ui";
import { BookIcon, KeyIcon } from "@/components/ui/icons";
import { ActivityIcon } from "@/components/ui/icons";

const noSubscribe = () => () => undefined;

/** The address the browser sees (empty while rendering on the server). */
function useOrigin(): string {
  return useSyncExternalStore(
    noSubscribe,
    () => window.location.origin,
    () => "",
  );
}

function Snippet({ label, children }: { label: string; children: string }) {
  return (
    <ScrollArea
      as="pre"
      label={label}
      className="overflow-x-auto rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 font-mono text-[12px] leading-relaxed break-all whitespace-pre-wrap text-zinc-800"
    >
      {children}
    </ScrollArea>
  );
}

function Step({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="flex min-w-0 flex-col gap-2">
      <h3 className="text-sm font-semibold text-zinc-900">{title}</h3>
      {children}
    </section>
  );
}

export function TelemetrySetup({ orgSlug, projectSlug, title = "No telemetry yet" }: { orgSlug: string; projectSlug: string; title?: string }) {
  const origin = useOrigin() || "https://keel.example.com";
  const base = `/o/${orgSlug}/p/${projectSlug}`;
  const code = (text: string) => <code className="rounded bg-zinc-100 px-1 py-px font-mono text-[12px] text-zinc-800">{text}</code>;
  return (
    <Card aria-labelledby="setup-title">
      <div className="flex items-start gap-3 border-b border-zinc-200 px-5 py-4">
        <div className="rounded-full bg-zinc-100 p-2 text-zinc-500">
          <ActivityIcon />
        </div>
        <div className="min-w-0">
          <h2 id="setup-title" className="text-sm font-semibold text-zinc-900">
            {title}
          </h2>
          <p className="mt-0.5 max-w-2xl text-[13px] text-zinc-500">
            Production calls show up here once your application sends traces or calls models through the Keel gateway. Both need an API key of this project.
          </p>
        </div>
      </div>
      <div className="grid gap-6 px-5 py-4 lg:grid-cols-2">
        <Step title="Send OpenTelemetry traces">
          <p className="text-[13px] text-zinc-600">
            Point an OTLP/HTTP exporter at the trace endpoint with a key holding the {code("traces:ingest")} scope. GenAI attributes (
            {code("gen_ai.request.model")}, {code("gen_ai.usage.input_tokens")}, …) are recognised; {code("keel.prompt.name")} and {code("keel.prompt.version")}{" "}
            link a span to a prompt version.
          </p>
          <Snippet label="OpenTelemetry exporter settings">{`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${origin}/api/public/otel/v1/traces
OTEL_EXPORTER_OTLP_TRACES_HEADERS=Authorization=Bearer%20sk-keel-…`}</Snippet>
        </Step>
        <Step title="Call models through the gateway">
          <p className="text-[13px] text-zinc-600">
            Any OpenAI client works: set its base URL to the gateway and use a key with the {code("gateway:invoke")} scope.{" "}
            {code('model: "prompt:<name>@<label>"')} runs the version a label points at; every call is traced.
          </p>
          <Snippet label="Gateway call with the OpenAI client">{`const client = new OpenAI({
  baseURL: "${origin}/api/gateway/v1",
  apiKey: process.env.KEEL_API_KEY,
});
await client.chat.completions.create({
  model: "prompt:<name>@production",
  messages: [{ role: "user", content: "…" }],
  variables: { customer: "Ada" }, // the prompt's variables
});`}</Snippet>
        </Step>
      </div>
      <div className="flex flex-wrap items-center gap-2 border-t border-zinc-200 bg-zinc-50/60 px-5 py-3">
        <ButtonLink size="sm" variant="primary" icon={<KeyIcon size={14} />} href={`${base}/api-keys`}>
          Create an API key
        </ButtonLink>
        <ButtonLink size="sm" icon={<BookIcon size={14} />} href={`${base}/api-reference`}>
          API reference
        </ButtonLink>
        <p className="ml-auto text-xs text-zinc-500">
          Feedback scores: {code("POST /api/public/v1/scores")}.{" "}
          <Link href={`${base}/api-reference`} className="underline hover:text-zinc-800">
            See the Telemetry section
          </Link>
          .
        </p>
      </div>
    </Card>
  );
}
