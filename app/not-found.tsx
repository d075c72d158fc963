import Link from "next/link";
import { buttonClasses } from "@/components/ui";
import { KeelMark } from "@/components/ui/icons";

export const metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-4 px-6 text-center">
      <KeelMark size={32} />
      <p className="font-mono text-xs font-medium tracking-wider text-zinc-500">404</p>
      <h1 className="text-xl font-semibold tracking-tight text-zinc-900">Page not found</h1>
      <p className="max-w-sm text-[13px] text-zinc-500">This page does not exist, or it belongs to an organization or project you are not a member of.</p>
      <Link href="/" className={buttonClasses({ variant: "primary" })}>
        Go to your workspace
      </Link>
    </main>
  );
}
