"use client";
// The prompt page's header: where it is (project, Prompts, folder), its type, latest version,
// tags and description (with "Edit details" for prompt:write), and the actions: history,
// playground, compare, edit.
import Link from "next/link";
import { useState } from "react";
import type { RouterOutputs } from "@/components/trpc/client";
import { Badge, Button, ButtonLink, PageHeader } from "@/components/ui";
import { CompareIcon, PencilIcon, PlayIcon } from "@/components/ui/icons";
import { HistoryLink } from "@/components/audit/history-link";
import { playgroundHref, promptHref } from "./model";
import { TypeBadge } from "./badges";
import { DetailsDialog } from "./details-dialog";

type Props = {
  orgSlug: string;
  projectSlug: string;
  projectName: string;
  name: string;
  prompt: RouterOutputs["prompts"]["get"];
  /** The version on show: what the playground opens and the editor starts from. */
  shown: number;
  canWrite: boolean;
  canRun: boolean;
};

export function PromptDetailHeader({ orgSlug, projectSlug, projectName, name, prompt: p, shown, canWrite, canRun }: Props) {
  const [editingDetails, setEditingDetails] = useState(false);
  const latest = p.latestVersion;
  const previous = p.versions.find((v) => v.version < latest)?.version;
  const folder = name.includes("/") ? name.slice(0, name.lastIndexOf("/")) : null;
  return (
    <>
      <PageHeader
        eyebrow={
          <>
            {projectName} ·{" "}
            <Link href={`/o/${orgSlug}/p/${projectSlug}/prompts`} className="hover:text-zinc-800 hover:underline">
              Prompts
            </Link>
            {folder ? <span className="font-mono"> / {folder}</span> : null}
          </>
        }
        title={<span className="font-mono">{name}</span>}
        description={
          <span className="flex flex-col gap-1.5">
            <span className="flex flex-wrap items-center gap-1.5">
              <TypeBadge type={p.type} />
              <Badge tone="outline" mono>
                latest v{latest}
              </Badge>
              {p.tags.map((t) => (
                <Badge key={t} tone="outline">
                  #{t}
                </Badge>
              ))}
              {canWrite ? (
                <Button size="sm" variant="ghost" className="h-5 px-1.5 text-[11px]" icon={<PencilIcon size={11} />} onClick={() => setEditingDetails(true)}>
                  Edit details
                </Button>
              ) : null}
              <Link
                href={`/o/${orgSlug}/p/${projectSlug}/evaluations/dashboard?prompt=${encodeURIComponent(name)}`}
                className="inline-flex h-5 items-center rounded px-1.5 text-[11px] font-medium text-zinc-700 underline decoration-zinc-300 underline-offset-2 hover:bg-zinc-100 hover:text-zinc-900"
              >
                Evaluations dashboard
              </Link>
            </span>
            {p.description ? <span className="text-zinc-600">{p.description}</span> : <span className="text-zinc-500">No description</span>}
          </span>
        }
        actions={
          <>
            <HistoryLink orgSlug={orgSlug} targetType="prompt" targetId={p.id} />
            {canRun ? (
              <ButtonLink href={playgroundHref(orgSlug, projectSlug, name, shown)} icon={<PlayIcon size={14} />}>
                Open in playground
              </ButtonLink>
            ) : null}
            {p.versions.length > 1 ? (
              <ButtonLink href={promptHref(orgSlug, projectSlug, name, "compare", { from: previous, to: latest })} icon={<CompareIcon size={14} />}>
                Compare
              </ButtonLink>
            ) : null}
            {canWrite ? (
              <ButtonLink
                variant="primary"
                href={promptHref(orgSlug, projectSlug, name, "edit", shown !== latest ? { from: shown } : undefined)}
                icon={<PencilIcon size={14} />}
              >
                Edit
              </ButtonLink>
            ) : null}
          </>
        }
      />
      <DetailsDialog
        open={editingDetails}
        onClose={() => setEditingDetails(false)}
        orgSlug={orgSlug}
        projectSlug={projectSlug}
        name={name}
        description={p.description}
        tags={p.tags}
      />
    </>
  );
}
