import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { TopBar } from "@/components/shell/top-bar";
import { getMyOrganizations } from "@/app/_lib/load";
import { getCurrentUser } from "@/server/api/server-caller";

// Everything under here needs a signed-in user; the procedures check again on every call.
export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  if (!user) redirect("/sign-in");
  const organizations = await getMyOrganizations();
  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white px-3 py-2 text-[13px] font-medium text-zinc-900 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <TopBar user={{ name: user.name, email: user.email }} organizations={organizations} />
      {children}
    </div>
  );
}
