"use client";
// Navigation within an organization. Items the role cannot use are not shown (the server still
// refuses them). Project items follow the project in the address, else the last one visited.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, usePathname } from "next/navigation";
import { useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { roleHasPermission, type Permission, type Role } from "@/server/contracts/permissions";
import { useTRPC } from "@/components/trpc/client";
import { cn } from "@/components/ui";
import {
  ActivityIcon,
  BookIcon,
  ClipboardCheckIcon,
  DatabaseIcon,
  FileTextIcon,
  FlaskIcon,
  FolderPlusIcon,
  HomeIcon,
  KeyIcon,
  LayersIcon,
  LockIcon,
  MarkerIcon,
  MenuIcon,
  PlayIcon,
  RocketIcon,
  ScrollIcon,
  ServerIcon,
  TracesIcon,
  UsersIcon,
  WebhookIcon,
} from "@/components/ui/icons";

type Props = {
  org: { slug: string; name: string; role: Role };
  projects: { slug: string; name: string }[];
};

type NavItem = {
  href: string;
  label: string;
  icon: ReactNode;
  permission: Permission;
  exact?: boolean;
  /** A count shown beside the label, with what it counts for assistive technology. */
  badge?: { count: number; description: string };
};

export function Sidebar({ org, projects }: Props) {
  const trpc = useTRPC();
  const params = useParams<{ project?: string }>();
  const pathname = usePathname();
  const [lastProject, setLastProject] = useState(params.project);
  if (params.project && params.project !== lastProject) setLastProject(params.project);
  const projectSlug = params.project ?? (projects.some((p) => p.slug === lastProject) ? lastProject : projects[0]?.slug);
  const project = projects.find((p) => p.slug === projectSlug);
  // Below the md breakpoint the navigation folds behind a menu button; it closes on navigation.
  const [open, setOpen] = useState(false);
  const [openedOn, setOpenedOn] = useState(pathname);
  if (pathname !== openedOn) {
    setOpenedOn(pathname);
    setOpen(false);
  }
  const listId = useId();
  const button = useRef<HTMLButtonElement>(null);

  // The project role may differ from the organization role (a per-project override).
  const projectAccess = useQuery({ ...trpc.projects.get.queryOptions({ orgSlug: org.slug, projectSlug: projectSlug ?? "" }), enabled: !!project });
  const projectRole = projectAccess.data?.role ?? org.role;
  // Requests the signed-in person could approve now (always 0 for roles that cannot approve).
  const pending = useQuery({
    ...trpc.deployments.pendingCount.queryOptions({ orgSlug: org.slug, projectSlug: projectSlug ?? "" }),
    enabled: !!project && roleHasPermission(projectRole, "deployment:approve"),
    refetchInterval: 30_000,
  });
  const pendingCount = project && roleHasPermission(projectRole, "deployment:approve") ? (pending.data ?? 0) : 0;

  const base = project ? `/o/${org.slug}/p/${project.slug}` : "";
  const projectItems: NavItem[] = project
    ? [
        { href: base, label: "Overview", icon: <HomeIcon />, permission: "project:read", exact: true },
        { href: `${base}/prompts`, label: "Prompts", icon: <FileTextIcon />, permission: "prompt:read" },
        { href: `${base}/datasets`, label: "Datasets", icon: <DatabaseIcon />, permission: "dataset:read" },
        { href: `${base}/evaluations`, label: "Evaluations", icon: <FlaskIcon />, permission: "evaluation:read" },
        { href: `${base}/reviews`, label: "Reviews", icon: <ClipboardCheckIcon />, permission: "review:read" },
        {
          href: `${base}/deployments`,
          label: "Deployments",
          icon: <RocketIcon />,
          permission: "deployment:read",
          badge:
            pendingCount > 0 ? { count: pendingCount, description: `${pendingCount} pending ${pendingCount === 1 ? "approval" : "approvals"}` } : undefined,
        },
        { href: `${base}/observability`, label: "Observability", icon: <ActivityIcon />, permission: "trace:read" },
        { href: `${base}/traces`, label: "Traces", icon: <TracesIcon />, permission: "trace:read" },
        { href: `${base}/review`, label: "My reviews", icon: <MarkerIcon />, permission: "review:grade" },
        { href: `${base}/playground`, label: "Playground", icon: <PlayIcon />, permission: "playground:run" },
      ]
    : [];
  // Project settings: everyone who may read them sees them; changing them is gated on the page.
  const settingsItems: NavItem[] = project
    ? [
        { href: `${base}/environments`, label: "Environments", icon: <LayersIcon />, permission: "prompt:read" },
        { href: `${base}/providers`, label: "Providers", icon: <ServerIcon />, permission: "provider:read" },
        { href: `${base}/api-keys`, label: "API keys", icon: <KeyIcon />, permission: "apikey:read" },
        { href: `${base}/webhooks`, label: "Webhooks", icon: <WebhookIcon />, permission: "webhook:read" },
        { href: `${base}/api-reference`, label: "API reference", icon: <BookIcon />, permission: "project:read" },
      ]
    : [];
  const orgItems: NavItem[] = [
    { href: `/o/${org.slug}/members`, label: "Members", icon: <UsersIcon />, permission: "member:read" },
    { href: `/o/${org.slug}/audit`, label: "Audit log", icon: <ScrollIcon />, permission: "audit:read" },
    { href: `/o/${org.slug}/settings/security`, label: "Security", icon: <LockIcon />, permission: "identity:read" },
    { href: `/o/${org.slug}/projects/new`, label: "New project", icon: <FolderPlusIcon />, permission: "project:create" },
  ];

  const isActive = (i: NavItem, exact = i.exact) => pathname === i.href || (!exact && pathname.startsWith(`${i.href}/`));
  const current = [...projectItems, ...settingsItems, ...orgItems].find((i) => isActive(i, i.exact ?? false));
  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key !== "Escape" || !open) return;
    setOpen(false);
    button.current?.focus();
  };

  return (
    <nav aria-label="Main" onKeyDown={closeOnEscape} className="shrink-0 border-b border-zinc-200 bg-white md:w-56 md:border-r md:border-b-0 md:bg-zinc-50/50">
      <div className="flex h-11 items-center gap-2 px-3 md:hidden">
        <button
          ref={button}
          type="button"
          aria-expanded={open}
          aria-controls={listId}
          onClick={() => setOpen((o) => !o)}
          className="flex h-8 items-center gap-2 rounded-md px-2 text-[13px] font-medium text-zinc-700 ring-1 ring-zinc-200 hover:bg-zinc-100 aria-expanded:bg-zinc-100"
        >
          <MenuIcon />
          Menu
        </button>
        {current ? <span className="truncate text-[13px] text-zinc-600">{current.label}</span> : null}
      </div>
      <div id={listId} className={cn(open ? "flex" : "hidden", "flex-col gap-4 px-3 pb-3 md:sticky md:top-12 md:flex md:gap-5 md:px-3 md:py-4")}>
        {project ? (
          <NavGroup title="Project" subtitle={project.name}>
            {projectItems
              .filter((i) => roleHasPermission(projectRole, i.permission))
              .map((i) => (
                <NavLink key={i.href} item={i} active={isActive(i)} />
              ))}
          </NavGroup>
        ) : null}
        {project ? (
          <NavGroup title="Settings" subtitle={project.name}>
            {settingsItems
              .filter((i) => roleHasPermission(projectRole, i.permission))
              .map((i) => (
                <NavLink key={i.href} item={i} active={pathname.startsWith(i.href)} />
              ))}
          </NavGroup>
        ) : null}
        <NavGroup title="Organization" subtitle={org.name}>
          {orgItems
            .filter((i) => roleHasPermission(org.role, i.permission))
            .map((i) => (
              <NavLink key={i.href} item={i} active={pathname.startsWith(i.href)} />
            ))}
        </NavGroup>
      </div>
    </nav>
  );
}

function NavGroup({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <div className="min-w-0 shrink-0">
      <p className="truncate px-2 pb-1.5 text-[11px]">
        <span className="font-medium tracking-wide text-zinc-500 uppercase">{title}</span>
        <span className="text-zinc-300" aria-hidden="true">
          {" · "}
        </span>
        <span className="sr-only">: </span>
        <span className="text-zinc-500">{subtitle}</span>
      </p>
      <ul className="flex flex-col gap-0.5">{children}</ul>
    </div>
  );
}

function NavLink({ item, active }: { item: NavItem; active: boolean }) {
  return (
    <li>
      <Link
        href={item.href}
        aria-current={active ? "page" : undefined}
        aria-label={item.badge ? `${item.label}, ${item.badge.description}` : undefined}
        className={cn(
          "flex h-8 items-center gap-2 rounded-md px-2 text-[13px] whitespace-nowrap transition-colors",
          active ? "bg-white font-medium text-zinc-900 shadow-xs ring-1 ring-zinc-200" : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900",
        )}
      >
        <span className={active ? "text-accent" : "text-zinc-500"}>{item.icon}</span>
        {item.label}
        {item.badge ? (
          <span
            aria-hidden="true"
            className="ml-auto inline-flex h-4 min-w-4 items-center justify-center rounded-full bg-accent px-1 text-[10px] leading-none font-semibold text-white tabular-nums"
          >
            {item.badge.count > 99 ? "99+" : item.badge.count}
          </span>
        ) : null}
      </Link>
    </li>
  );
}
