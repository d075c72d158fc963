"use client";
// One environment in the labels panel: the version it serves and since when; a version select and
// Move for an unprotected one (label:move), or the protection notice and the deployment and
// rollback requests for a protected one.
import { useId, useState } from "react";
import type { RouterOutputs } from "@/components/trpc/client";
import { Button, Select } from "@/components/ui";
import { LockIcon } from "@/components/ui/icons";
import { Time } from "@/components/lib/time";
import { LabelBadge } from "./badges";

type Prompt = RouterOutputs["prompts"]["get"];

type Props = {
  env: Prompt["environments"][number];
  /** Where its label points now, if anywhere. */
  current: Pick<Prompt["labels"][number], "version" | "updatedAt"> | null;
  versions: number[];
  canMove: boolean;
  canRequest: boolean;
  onMove: (to: number, from: number | null) => void;
  onRequest: (kind: "promote" | "rollback") => void;
};

export function EnvironmentLabel({ env, current, versions, canMove, canRequest, onMove, onRequest }: Props) {
  const [target, setTarget] = useState<string>("");
  const selectId = useId();
  const chosen = target ? Number(target) : (current?.version ?? versions[0] ?? 1);
  return (
    <li className="px-4 py-2.5" aria-label={`Environment ${env.name}`}>
      <div className="flex items-center justify-between gap-3">
        <span className="min-w-0">
          <LabelBadge name={env.name} isProtected={env.protected} />
          {env.description ? <span className="mt-0.5 block truncate text-xs text-zinc-500">{env.description}</span> : null}
        </span>
        <span className="shrink-0 text-right font-mono text-xs text-zinc-700">
          {current ? (
            <>
              v{current.version}
              <Time value={current.updatedAt} mode="relative" className="block font-sans text-[11px] text-zinc-500" />
            </>
          ) : (
            <span className="font-sans text-zinc-500">not set</span>
          )}
        </span>
      </div>
      {env.protected ? (
        <>
          <p className="mt-1.5 flex items-start gap-1.5 rounded bg-amber-50 px-2 py-1 text-xs text-amber-900">
            <LockIcon size={12} className="mt-0.5 shrink-0" />
            <span>Protected: approvals of deployment requests will move this label. It cannot be moved directly.</span>
          </p>
          {canRequest ? (
            <div className="mt-2 flex flex-wrap gap-1.5">
              <Button size="sm" onClick={() => onRequest("promote")} aria-label={`Request deployment to ${env.name}`}>
                Request deployment
              </Button>
              {current ? (
                <Button size="sm" variant="ghost" onClick={() => onRequest("rollback")} aria-label={`Request rollback of ${env.name}`}>
                  Request rollback
                </Button>
              ) : null}
            </div>
          ) : null}
        </>
      ) : canMove ? (
        <div className="mt-2 flex items-end gap-1.5">
          <Select
            id={selectId}
            label={`Version for ${env.name}`}
            hideLabel
            size="sm"
            value={String(chosen)}
            onChange={(e) => setTarget(e.target.value)}
            wrapperClassName="flex-1"
          >
            {versions.map((v) => (
              <option key={v} value={v}>
                Version {v}
                {v === current?.version ? " (current)" : ""}
              </option>
            ))}
          </Select>
          <Button
            size="sm"
            disabled={chosen === current?.version}
            onClick={() => onMove(chosen, current?.version ?? null)}
            aria-label={`Move ${env.name} to version ${chosen}`}
          >
            Move
          </Button>
        </div>
      ) : null}
    </li>
  );
}
