"use client";
// One version of a prompt, read-only: its commit message, author and content hash, the template
// or messages, its variables and its model configuration; a select switches the version shown.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/client";
import { Badge, Card, CardBody, CardHeader, Select, Spinner } from "@/components/ui";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { asConfig, asMessages } from "./model";
import { TemplateText, VariableDetailsList } from "./template-text";
import { ConfigSummary } from "./config-summary";

type Props = {
  orgSlug: string;
  projectSlug: string;
  name: string;
  type: "text" | "chat";
  /** The version on show, chosen here or in the versions list. */
  version: number;
  latest: number;
  versions: number[];
  onChoose: (version: number) => void;
};

export function VersionCard({ orgSlug, projectSlug, name, type, version, latest, versions, onChoose }: Props) {
  const trpc = useTRPC();
  const v = useQuery(trpc.prompts.version.queryOptions({ orgSlug, projectSlug, name, version }));
  return (
    <Card aria-labelledby="version-title">
      <CardHeader
        titleId="version-title"
        title={
          <>
            Version {version}
            {version === latest ? (
              <Badge tone="outline" className="ml-2 align-middle">
                latest
              </Badge>
            ) : null}
          </>
        }
        description={v.data ? <span>{v.data.commitMessage}</span> : undefined}
        actions={
          <Select label="Show version" hideLabel size="sm" value={String(version)} onChange={(e) => onChoose(Number(e.target.value))} boxClassName="w-44">
            {versions.map((n) => (
              <option key={n} value={n}>
                Version {n}
                {n === latest ? " (latest)" : ""}
              </option>
            ))}
          </Select>
        }
      />
      <CardBody className="flex flex-col gap-4">
        {v.isPending ? (
          <Spinner label="Loading the version…" />
        ) : v.isError ? (
          <QueryErrorAlert title="Could not load the version" error={v.error} />
        ) : (
          <>
            <p className="text-xs text-zinc-500">
              Saved by <span className="text-zinc-700">{v.data.authorLabel}</span> · <Time value={v.data.createdAt} /> ·{" "}
              <span className="font-mono">sha256 {v.data.contentHash.slice(0, 12)}</span>
            </p>
            {type === "text" ? (
              <TemplateText text={v.data.template ?? ""} label={`Template of version ${version}`} />
            ) : (
              <ol className="flex flex-col gap-2" aria-label={`Messages of version ${version}`}>
                {asMessages(v.data.messages).map((m, i) => (
                  <li key={i}>
                    <p className="mb-1 text-[11px] font-medium tracking-wide text-zinc-500 uppercase">
                      <span className="sr-only">Message {i + 1}: </span>
                      {m.role}
                    </p>
                    <TemplateText text={m.content} />
                  </li>
                ))}
              </ol>
            )}
            <div className="grid gap-4 md:grid-cols-2">
              <div>
                <h3 className="mb-1.5 text-[13px] font-medium text-zinc-800">Variables</h3>
                <VariableDetailsList variables={v.data.variables} details={v.data.variableDetails} emptyText="This version has no variables." />
              </div>
              <div>
                <h3 className="mb-1.5 text-[13px] font-medium text-zinc-800">Model configuration</h3>
                <ConfigSummary orgSlug={orgSlug} projectSlug={projectSlug} config={asConfig(v.data.config)} />
              </div>
            </div>
          </>
        )}
      </CardBody>
    </Card>
  );
}
