import Link from "next/link";
import { PERMISSIONS, ROLE_DESCRIPTIONS, type Permission } from "@/server/contracts/permissions";
import { RoleBadge } from "@/components/projects/role-badge";
import { ProjectHome, type Has } from "@/components/projects/home";
import { getServerCaller } from "@/server/api/server-caller";
import { getOrg, getProject } from "@/app/_lib/load";
import { Card, CardBody, CardHeader, PageHeader, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { ArrowRightIcon, CheckIcon, FileTextIcon, KeyIcon, LayersIcon, PlayIcon, ScrollIcon, ServerIcon, UsersIcon, XIcon } from "@/components/ui/icons";

export async function generateMetadata({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org, project } = await params;
  return { title: (await getProject(org, project)).name };
}

export default async function ProjectOverview({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const [org, project] = await Promise.all([getOrg(orgSlug), getProject(orgSlug, projectSlug)]);
  const overridden = project.role !== org.role;
  // Organization-wide permissions follow the organization role; project ones the project role.
  const has = (p: Permission) => (PERMISSIONS[p].scope === "org" ? org.permissions : project.permissions).includes(p);
  const permissionRows = (Object.keys(PERMISSIONS) as Permission[]).sort((a, b) =>
    PERMISSIONS[a].scope === PERMISSIONS[b].scope ? 0 : PERMISSIONS[a].scope === "project" ? -1 : 1,
  );
  const allowedCount = permissionRows.filter(has).length;

  const links = [
    has("prompt:read") && {
      href: `/o/${org.slug}/p/${project.slug}/prompts`,
      label: "Prompts",
      description: "Versioned prompts and the version each environment serves",
      icon: <FileTextIcon />,
    },
    has("playground:run") && {
      href: `/o/${org.slug}/p/${project.slug}/playground`,
      label: "Playground",
      description: "Try a prompt or a draft against a model",
      icon: <PlayIcon />,
    },
    has("prompt:read") && {
      href: `/o/${org.slug}/p/${project.slug}/environments`,
      label: "Environments",
      description: "Development, staging, production and their protection",
      icon: <LayersIcon />,
    },
    has("provider:read") && {
      href: `/o/${org.slug}/p/${project.slug}/providers`,
      label: "Providers",
      description: "Model API connections and prices",
      icon: <ServerIcon />,
    },
    has("apikey:read") && {
      href: `/o/${org.slug}/p/${project.slug}/api-keys`,
      label: "API keys",
      description: "Keys for applications calling Keel's API",
      icon: <KeyIcon />,
    },
    has("member:read") && {
      href: `/o/${org.slug}/members?project=${project.slug}`,
      label: "Members",
      description: "People and their roles in this project",
      icon: <UsersIcon />,
    },
    has("audit:read") && {
      href: `/o/${org.slug}/audit?project=${project.slug}`,
      label: "Audit log",
      description: "Every change in this project, hash-chained",
      icon: <ScrollIcon />,
    },
  ].filter((l): l is Exclude<typeof l, false> => !!l);

  // Editors, and read-only viewers, follow prompts and runs; reviewers, approvers and auditors have their own parts.
  const home: Has = {
    prompts: has("prompt:read") && (has("prompt:write") || project.role === "viewer"),
    writePrompts: has("prompt:write"),
    runs: has("evaluation:read") && (has("evaluation:write") || project.role === "viewer"),
    approvals: has("deployment:approve"),
    review: has("review:grade"),
    reviewer: project.role === "reviewer",
    audit: has("audit:read"),
  };
  const caller = await getServerCaller();
  const scope = { orgSlug: org.slug, projectSlug: project.slug };
  const [prompts, runs, open, waiting, queues, chain, exports] = await Promise.all([
    home.prompts ? caller.home.recentPrompts({ ...scope, limit: 5 }) : null,
    home.runs ? caller.runs.list({ ...scope, limit: 5 }) : null,
    home.approvals ? caller.deployments.list({ ...scope, status: "open", page: 1, pageSize: 25 }) : null,
    home.approvals ? caller.deployments.pendingCount(scope) : null,
    home.review ? caller.reviews.mine(scope) : null,
    home.audit ? caller.audit.status({ orgSlug: org.slug }) : null,
    home.audit ? caller.audit.exports({ orgSlug: org.slug }) : null,
  ]);
  const homeData = { prompts, runs, open, waiting, queues, chain, exports };

  return (
    <>
      <PageHeader
        eyebrow={org.name}
        title={project.name}
        description={
          <span className="font-mono text-xs">
            /o/{org.slug}/p/{project.slug}
          </span>
        }
      />

      <div className="mb-4">
        <ProjectHome orgSlug={org.slug} projectSlug={project.slug} has={home} data={homeData} />
      </div>

      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3 [&>*]:min-w-0">
        <Card aria-labelledby="access-title" className="lg:col-span-1">
          <CardHeader titleId="access-title" title="Your access" />
          <CardBody className="space-y-3">
            <dl className="space-y-3 text-[13px]">
              <div>
                <dt className="text-xs text-zinc-500">Role in this project</dt>
                <dd className="mt-1 flex items-center gap-2">
                  <RoleBadge role={project.role} />
                  <span className="text-zinc-600">{overridden ? "set for this project" : "from your organization role"}</span>
                </dd>
              </div>
              <div>
                <dt className="sr-only">What the role allows</dt>
                <dd className="text-zinc-600">{ROLE_DESCRIPTIONS[project.role]}</dd>
              </div>
              {overridden ? (
                <div>
                  <dt className="text-xs text-zinc-500">Organization role</dt>
                  <dd className="mt-1">
                    <RoleBadge role={org.role} />
                  </dd>
                </div>
              ) : null}
              <div>
                <dt className="text-xs text-zinc-500">Permissions</dt>
                <dd className="mt-1 text-zinc-700">
                  {allowedCount} of {permissionRows.length}
                </dd>
              </div>
            </dl>
          </CardBody>
        </Card>

        <Card aria-labelledby="links-title" className="lg:col-span-2">
          <CardHeader titleId="links-title" title="Go to" />
          {links.length ? (
            <ul className="divide-y divide-zinc-100">
              {links.map((l) => (
                <li key={l.href}>
                  <Link href={l.href} className="group flex items-center gap-3 px-4 py-3 hover:bg-zinc-50">
                    <span className="rounded-md bg-zinc-100 p-1.5 text-zinc-600 group-hover:bg-accent-soft group-hover:text-accent">{l.icon}</span>
                    <span className="min-w-0 flex-1">
                      <span className="block text-[13px] font-medium text-zinc-900">{l.label}</span>
                      <span className="block text-xs text-zinc-500">{l.description}</span>
                    </span>
                    <ArrowRightIcon className="text-zinc-300 group-hover:text-zinc-500" />
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <CardBody className="text-[13px] text-zinc-500">Your role can see this project; there is nothing else for it to manage yet.</CardBody>
          )}
        </Card>

        <Card aria-labelledby="permissions-title" className="lg:col-span-3">
          <details>
            <summary className="cursor-pointer list-none px-4 py-3 hover:bg-zinc-50 [&::-webkit-details-marker]:hidden">
              <span id="permissions-title" className="text-sm font-semibold text-zinc-900">
                Permissions
              </span>
              <span className="ml-2 text-[13px] text-zinc-600">
                {allowedCount} of {permissionRows.length} allowed · show what your role allows here
              </span>
            </summary>
            <Table caption="Your permissions">
              <THead>
                <TR>
                  <TH>Permission</TH>
                  <TH>Description</TH>
                  <TH>Applies to</TH>
                  <TH className="text-right">You</TH>
                </TR>
              </THead>
              <TBody>
                {permissionRows.map((p) => {
                  const allowed = has(p);
                  return (
                    <TR key={p}>
                      <TD className="font-mono text-xs text-zinc-800">{p}</TD>
                      <TD>{PERMISSIONS[p].description}</TD>
                      <TD className="text-zinc-500">{PERMISSIONS[p].scope === "org" ? "Organization" : "Project"}</TD>
                      <TD className="text-right">
                        {allowed ? (
                          <span className="inline-flex items-center gap-1 align-middle text-emerald-700">
                            <CheckIcon size={14} /> Allowed
                          </span>
                        ) : (
                          <span className="inline-flex items-center gap-1 align-middle text-zinc-500">
                            <XIcon size={14} /> Not allowed
                          </span>
                        )}
                      </TD>
                    </TR>
                  );
                })}
              </TBody>
            </Table>
          </details>
        </Card>
      </div>
    </>
  );
}
