import type { ReactNode } from "react";
import { Sidebar } from "@/components/shell/sidebar";
import { getOrg } from "@/app/_lib/load";
import { TRPCError } from "@trpc/server";
import { SecondFactorRequired } from "@/components/identity/second-factor-required";
import type { AppErrorReason } from "@/server/contracts/errors";

export default async function OrgLayout({ children, params }: { children: ReactNode; params: Promise<{ org: string }> }) {
  const { org: orgSlug } = await params;
  let org: Awaited<ReturnType<typeof getOrg>>;
  try {
    org = await getOrg(orgSlug);
  } catch (error) {
    // The organization requires a second factor this session lacks: say where to set one up
    // instead of rendering pages that would all be refused.
    if (error instanceof TRPCError && (error.cause as { reason?: unknown } | undefined)?.reason === ("second_factor_required" satisfies AppErrorReason)) {
      return <SecondFactorRequired message={error.message} />;
    }
    throw error;
  }
  return (
    <div className="flex flex-1 flex-col md:flex-row">
      <Sidebar org={{ slug: org.slug, name: org.name, role: org.role }} projects={org.projects.map((p) => ({ slug: p.slug, name: p.name }))} />
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-4 py-6 outline-none sm:px-8">
        <div className="mx-auto max-w-6xl">{children}</div>
      </main>
    </div>
  );
}
