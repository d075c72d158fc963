import type { ReactNode } from "react";
import { Sidebar } from "@/components/shell/sidebar";
import { getOrg } from "@/app/_lib/load";

export default async function OrgLayout({ children, params }: { children: ReactNode; params: Promise<{ org: string }> }) {
  const { org: orgSlug } = await params;
  const org = await getOrg(orgSlug);
  return (
    <div className="flex flex-1 flex-col md:flex-row">
      <Sidebar org={{ slug: org.slug, name: org.name, role: org.role }} projects={org.projects.map((p) => ({ slug: p.slug, name: p.name }))} />
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-4 py-6 outline-none sm:px-8">
        <div className="mx-auto max-w-6xl">{children}</div>
      </main>
    </div>
  );
}
