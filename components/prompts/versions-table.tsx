"use client";
// The versions of a prompt, newest first: number, commit message (and what it was based on when
// not the one before), the labels on it, who saved it and when; View, Diff and "Edit from" each.
import type { RouterOutputs } from "@/components/trpc/client";
import { ActionsTH, Button, ButtonLink, Card, CardHeader, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { Time } from "@/components/lib/time";
import { promptHref } from "./model";
import { LabelBadge } from "./badges";

type Prompt = RouterOutputs["prompts"]["get"];

type Props = {
  orgSlug: string;
  projectSlug: string;
  name: string;
  canWrite: boolean;
  versions: Prompt["versions"];
  labels: Pick<Prompt["labels"][number], "name" | "version">[];
  latest: number;
  /** The version on show (highlighted; its View button is disabled). */
  shown: number;
  onShow: (version: number) => void;
};

export function VersionsTable({ orgSlug, projectSlug, name, canWrite, versions, labels, latest, shown, onShow }: Props) {
  return (
    <Card aria-labelledby="versions-title">
      <CardHeader
        titleId="versions-title"
        title={`${versions.length} ${versions.length === 1 ? "version" : "versions"}`}
        description="Versions never change once saved; each save adds the next number."
      />
      <Table caption={`Versions of ${name}`}>
        <THead>
          <TR>
            <TH>Version</TH>
            <TH>Message</TH>
            <TH>Saved</TH>
            <ActionsTH />
          </TR>
        </THead>
        <TBody>
          {versions.map((v) => {
            const here = labels.filter((l) => l.version === v.version);
            return (
              <TR key={v.version} className={v.version === shown ? "bg-accent-soft/40" : undefined} aria-current={v.version === shown ? "true" : undefined}>
                <TD className="align-top font-mono text-xs font-medium whitespace-nowrap text-zinc-900">v{v.version}</TD>
                <TD className="min-w-48">
                  <span className="block text-zinc-800">{v.commitMessage}</span>
                  {v.basedOnVersion && v.basedOnVersion !== v.version - 1 ? (
                    <span className="block text-xs text-zinc-500">based on v{v.basedOnVersion}</span>
                  ) : null}
                  {v.version === latest || here.length ? (
                    <span className="mt-1 flex flex-wrap gap-1" aria-label="Labels">
                      {v.version === latest ? <LabelBadge name="latest" /> : null}
                      {here.map((l) => (
                        <LabelBadge key={l.name} name={l.name} />
                      ))}
                    </span>
                  ) : null}
                </TD>
                <TD className="whitespace-nowrap">
                  <span className="block text-zinc-700">{v.authorLabel}</span>
                  <Time value={v.createdAt} mode="relative" className="text-xs text-zinc-500" />
                </TD>
                <TD className="text-right whitespace-nowrap">
                  <span className="inline-flex gap-0.5">
                    <Button size="sm" variant="ghost" aria-label={`View version ${v.version}`} disabled={v.version === shown} onClick={() => onShow(v.version)}>
                      View
                    </Button>
                    {v.version > 1 ? (
                      <ButtonLink
                        size="sm"
                        variant="ghost"
                        aria-label={`Diff version ${v.version} with the one before`}
                        href={promptHref(orgSlug, projectSlug, name, "compare", { from: versions.find((x) => x.version < v.version)?.version, to: v.version })}
                      >
                        Diff
                      </ButtonLink>
                    ) : null}
                    {canWrite ? (
                      <ButtonLink
                        size="sm"
                        variant="ghost"
                        aria-label={`Edit from version ${v.version}`}
                        href={promptHref(orgSlug, projectSlug, name, "edit", v.version !== latest ? { from: v.version } : undefined)}
                      >
                        Edit from
                      </ButtonLink>
                    ) : null}
                  </span>
                </TD>
              </TR>
            );
          })}
        </TBody>
      </Table>
    </Card>
  );
}
