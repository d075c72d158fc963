"use client";
// Where applications send telemetry and model calls: the OTLP trace endpoint and the gateway's
// base URL on this server, with a short OpenAI client example that calls a deployed prompt of
// this project (one with a production label when there is one).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSyncExternalStore } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Button, CopyField, useCopy, ScrollArea } from "@/components/ui";
import { CheckIcon, CopyIcon } from "@/components/ui/icons";
import { SettingsSection, type ProjectRef } from "./shared";

const noSubscription = () => () => {};

type PromptRow = { name: string; labels: { name: string }[] };

/** The prompt (and label) the example calls: support/reply if present, else one deployed to production. */
export function examplePrompt(prompts: readonly PromptRow[]): { name: string; label: string } {
  const labelled = prompts.filter((p) => p.labels.length > 0);
  const production = labelled.filter((p) => p.labels.some((l) => l.name === "production"));
  const pick = production.find((p) => p.name === "support/reply") ?? production[0];
  if (pick) return { name: pick.name, label: "production" };
  const any = labelled[0];
  return any ? { name: any.name, label: any.labels[0]!.name } : { name: "my-prompt", label: "production" };
}

export function gatewaySnippet(baseURL: string, prompt: { name: string; label: string }): string {
  return [
    `import OpenAI from "openai";`,
    ``,
    `const keel = new OpenAI({`,
    `  baseURL: "${baseURL}",`,
    `  apiKey: process.env.KEEL_API_KEY, // "sk-keel-…", a key with the gateway:invoke scope`,
    `});`,
    ``,
    `const reply = await keel.chat.completions.create({`,
    `  // A deployed prompt: Keel renders the version "${prompt.label}" points at, with its model and settings.`,
    `  model: "prompt:${prompt.name}@${prompt.label}",`,
    `  variables: { question: "Where is my order?" }, // fills the prompt's {{variables}}`,
    `  messages: [], // appended after the prompt's own messages`,
    `});`,
    ``,
    `// Or any model name, through the gateway connection chosen above:`,
    `// await keel.chat.completions.create({ model: "gpt-4o-mini", messages: [...] });`,
  ].join("\n");
}

export function Endpoints({ orgSlug, projectSlug, canReadKeys }: ProjectRef & { canReadKeys: boolean }) {
  const trpc = useTRPC();
  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const origin = useSyncExternalStore(
    noSubscription,
    () => window.location.origin,
    () => "https://keel.example.com",
  );
  const gatewayUrl = `${origin}/api/gateway/v1`;
  const snippet = gatewaySnippet(gatewayUrl, examplePrompt(prompts.data?.items ?? []));
  const { state, copy } = useCopy();
  const keysHref = `/o/${orgSlug}/p/${projectSlug}/api-keys`;

  return (
    <SettingsSection
      id="endpoints"
      title="Endpoints"
      description={
        <>
          Applications authenticate with a project API key (<code className="font-mono">Authorization: Bearer sk-keel-…</code>).{" "}
          {canReadKeys ? (
            <Link href={keysHref} className="font-medium text-accent underline-offset-2 hover:underline">
              API keys
            </Link>
          ) : (
            "API keys"
          )}{" "}
          need the <code className="font-mono">traces:ingest</code> scope to send traces and <code className="font-mono">gateway:invoke</code> to call the
          gateway.
        </>
      }
    >
      <div className="grid gap-5 px-4 py-4 lg:grid-cols-2">
        <CopyField
          label="OTLP endpoint"
          value={`${origin}/api/public/otel`}
          hint="For OpenTelemetry exporters (OTLP/HTTP, protobuf or JSON): they append /v1/traces themselves."
        />
        <CopyField
          label="Gateway base URL"
          value={gatewayUrl}
          hint="OpenAI-compatible: point an OpenAI client's baseURL here (POST /chat/completions, GET /models)."
        />
        <div className="lg:col-span-2">
          <div className="mb-1.5 flex items-center justify-between gap-2">
            <h3 id="gateway-example-title" className="text-[13px] font-medium text-zinc-800">
              Calling the gateway (OpenAI Node client)
            </h3>
            <Button
              size="sm"
              variant="ghost"
              aria-label="Copy the gateway example"
              icon={state === "copied" ? <CheckIcon className="text-emerald-600" /> : <CopyIcon />}
              onClick={() => void copy(snippet)}
            >
              {state === "copied" ? "Copied" : "Copy"}
            </Button>
          </div>
          <ScrollArea
            as="pre"
            labelledBy="gateway-example-title"
            className="overflow-x-auto rounded-md bg-zinc-900 px-3 py-2.5 font-mono text-xs leading-relaxed text-zinc-100"
          >
            {snippet}
          </ScrollArea>
          <span role="status" className="sr-only">
            {state === "copied" ? "The example was copied to the clipboard" : state === "failed" ? "Copying failed: select the text and copy it yourself" : ""}
          </span>
        </div>
      </div>
    </SettingsSection>
  );
}
