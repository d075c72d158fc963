"use client";
// The signed-in top bar: home, the organization/project switcher, and the user menu.
import Link from "next/link";
import { useParams } from "next/navigation";
import { signOut } from "next-auth/react";
import { roleHasPermission, type Role } from "@/server/contracts/permissions";
import { Menu, type MenuSection } from "@/components/ui";
import { ChevronUpDownIcon, FolderPlusIcon, KeelMark, LogOutIcon, PlusIcon, UserIcon } from "@/components/ui/icons";

export type OrgSummary = { slug: string; name: string; role: Role; projects: { slug: string; name: string }[] };
type User = { name: string; email: string };

export function TopBar({ user, organizations }: { user: User; organizations: OrgSummary[] }) {
  return (
    <header className="sticky top-0 z-40 flex h-12 shrink-0 items-center gap-2 border-b border-zinc-200 bg-white/95 px-3 backdrop-blur supports-[backdrop-filter]:bg-white/80 sm:px-4">
      <Link href="/" className="flex items-center gap-2 rounded-md px-1 py-1 text-[15px] font-semibold tracking-tight text-zinc-900">
        <KeelMark size={22} />
        <span>Keel</span>
      </Link>
      <span aria-hidden="true" className="px-1 text-lg font-light text-zinc-300">
        /
      </span>
      <ProjectSwitcher organizations={organizations} />
      <div className="ml-auto">
        <UserMenu user={user} />
      </div>
    </header>
  );
}

function ProjectSwitcher({ organizations }: { organizations: OrgSummary[] }) {
  const params = useParams<{ org?: string; project?: string }>();
  const org = organizations.find((o) => o.slug === params.org);
  const project = org?.projects.find((p) => p.slug === params.project);

  const sections: MenuSection[] = [
    ...organizations.map((o) => ({
      key: o.slug,
      label: o.name,
      items: [
        ...o.projects.map((p) => ({
          key: `${o.slug}/${p.slug}`,
          label: p.name,
          textValue: p.name,
          href: `/o/${o.slug}/p/${p.slug}`,
          checked: o.slug === params.org && p.slug === params.project,
        })),
        ...(roleHasPermission(o.role, "project:create")
          ? [{ key: `${o.slug}/new`, label: "New project", textValue: "New project", icon: <FolderPlusIcon />, href: `/o/${o.slug}/projects/new` }]
          : []),
      ],
    })),
    { key: "new-org", items: [{ key: "new-org", label: "New organization", textValue: "New organization", icon: <PlusIcon />, href: "/orgs/new" }] },
  ];

  const current = org ? (
    <>
      <span className="truncate text-zinc-500">{org.name}</span>
      {project ? (
        <>
          <span aria-hidden="true" className="text-zinc-300">
            /
          </span>
          <span className="truncate font-medium text-zinc-900">{project.name}</span>
        </>
      ) : null}
    </>
  ) : (
    <span className="text-zinc-600">Choose a project</span>
  );

  if (organizations.length === 0) {
    return (
      <Link href="/orgs/new" className="rounded-md px-2 py-1 text-[13px] text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900">
        Create an organization
      </Link>
    );
  }

  return (
    <Menu
      menuLabel="Organizations and projects"
      triggerClassName="flex h-8 max-w-[60vw] items-center gap-1.5 rounded-md px-2 text-[13px] hover:bg-zinc-100 aria-expanded:bg-zinc-100"
      trigger={
        <>
          {/* The name comes from the content, not an aria-label that hides the visible text (WCAG 2.5.3). */}
          <span className="sr-only">{`Switch project (current: ${org ? `${org.name}${project ? ` / ${project.name}` : ""}` : "none"})`}</span>
          <span aria-hidden="true" className="flex min-w-0 items-center gap-1.5">
            {current}
          </span>
          <ChevronUpDownIcon size={14} className="shrink-0 text-zinc-500" />
        </>
      }
      sections={sections}
      menuClassName="w-72"
    />
  );
}

function initials(name: string, email: string) {
  const parts = (name || email).split(/[\s@._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts[1]?.[0] ?? "")).toUpperCase();
}

function UserMenu({ user }: { user: User }) {
  return (
    <Menu
      align="end"
      menuLabel="Account"
      triggerClassName="flex h-8 items-center gap-2 rounded-md pr-2 pl-1 text-[13px] text-zinc-700 hover:bg-zinc-100 aria-expanded:bg-zinc-100"
      trigger={
        <>
          <span aria-hidden="true" className="flex size-6 items-center justify-center rounded-full bg-zinc-800 text-[10px] font-semibold text-white">
            {initials(user.name, user.email)}
          </span>
          <span className="sr-only">{`Account menu: ${user.name || user.email}`}</span>
          <span aria-hidden="true" className="hidden max-w-40 truncate sm:inline">
            {user.name || user.email}
          </span>
        </>
      }
      sections={[
        {
          key: "who",
          header: (
            <div className="min-w-0">
              <p className="truncate text-[13px] font-medium text-zinc-900">{user.name}</p>
              <p className="truncate text-xs text-zinc-500">{user.email}</p>
            </div>
          ),
          items: [{ key: "account", label: "Account", icon: <UserIcon />, href: "/account" }],
        },
        {
          key: "session",
          items: [{ key: "sign-out", label: "Sign out", icon: <LogOutIcon />, onSelect: () => void signOut({ callbackUrl: "/sign-in" }) }],
        },
      ]}
    />
  );
}
