import type { ReactNode } from "react";
import { KeelMark } from "@/components/ui/icons";

/** The centred frame of the signed-out pages: brand, one h1, the form. */
export function AuthCard({ title, description, children, wide = false }: { title: string; description?: ReactNode; children: ReactNode; wide?: boolean }) {
  return (
    <main className="flex min-h-dvh flex-col items-center px-4 py-12 sm:py-20">
      <div className={wide ? "w-full max-w-xl" : "w-full max-w-sm"}>
        <div className="mb-6 flex items-center gap-2">
          <KeelMark size={24} />
          <span className="text-[15px] font-semibold tracking-tight text-zinc-900">Keel</span>
        </div>
        <h1 className="text-xl font-semibold tracking-tight text-zinc-900">{title}</h1>
        {description ? <p className="mt-1.5 text-[13px] text-zinc-500">{description}</p> : null}
        <div className="mt-6 rounded-lg border border-zinc-200 bg-white p-5 shadow-xs">{children}</div>
      </div>
    </main>
  );
}
