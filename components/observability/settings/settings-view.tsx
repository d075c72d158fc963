"use client";
// The observability settings page: one section per concern (retention and routing, endpoints,
// guardrails, online evaluators, trace routing rules), each its own component with its own query.
// Without observability:manage every section is read-only (the server refuses changes anyway).
import { PageHeader } from "@/components/ui";
import { Endpoints } from "./endpoints";
import { Guardrails } from "./guardrails";
import { OnlineEvaluators } from "./online-evaluators";
import { RoutingSettings } from "./routing-settings";
import { TraceRules } from "./trace-rules";

type Props = {
  orgSlug: string;
  projectSlug: string;
  projectName: string;
  canManage: boolean;
  canReadKeys: boolean;
  canReadProviders: boolean;
  canReadEvaluators: boolean;
};

const SECTIONS = [
  { id: "routing", label: "Retention and routing" },
  { id: "endpoints", label: "Endpoints" },
  { id: "guardrails", label: "Guardrails" },
  { id: "online-evaluators", label: "Online evaluators" },
  { id: "trace-rules", label: "Trace routing rules" },
];

export function ObservabilitySettingsView({ orgSlug, projectSlug, projectName, canManage, canReadKeys, canReadProviders, canReadEvaluators }: Props) {
  const ref = { orgSlug, projectSlug };
  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Observability settings"
        description="How production traces are kept and reviewed, and how the OpenAI-compatible gateway routes and checks model calls. Every change is recorded in the audit log."
      />
      {!canManage ? <p className="-mt-3 mb-4 text-xs text-zinc-500">Your role can see these settings; owners and admins change them.</p> : null}
      <nav aria-label="Sections" className="mb-4">
        <ul className="flex flex-wrap gap-x-1 gap-y-1 text-[13px]">
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <a href={`#${s.id}`} className="inline-flex h-7 items-center rounded-md px-2 text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900">
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="flex flex-col gap-6">
        <RoutingSettings {...ref} canManage={canManage} canReadProviders={canReadProviders} />
        <Endpoints {...ref} canReadKeys={canReadKeys} />
        <Guardrails {...ref} projectName={projectName} canManage={canManage} />
        <OnlineEvaluators {...ref} projectName={projectName} canManage={canManage} canReadEvaluators={canReadEvaluators} />
        <TraceRules {...ref} projectName={projectName} canManage={canManage} />
      </div>
    </>
  );
}
