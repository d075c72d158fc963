import type { ReactNode } from "react";
import { cn } from "./cn";
import { AlertCircleIcon, CheckCircleIcon, InfoIcon, ShieldAlertIcon } from "./icons";

export type AlertTone = "error" | "warning" | "success" | "info";

const tones: Record<AlertTone, { box: string; icon: ReactNode }> = {
  error: { box: "border-red-200 bg-red-50 text-red-800", icon: <AlertCircleIcon className="mt-px shrink-0 text-red-600" /> },
  warning: { box: "border-amber-200 bg-amber-50 text-amber-900", icon: <ShieldAlertIcon className="mt-px shrink-0 text-amber-600" /> },
  success: { box: "border-emerald-200 bg-emerald-50 text-emerald-900", icon: <CheckCircleIcon className="mt-px shrink-0 text-emerald-600" /> },
  info: { box: "border-zinc-200 bg-zinc-50 text-zinc-700", icon: <InfoIcon className="mt-px shrink-0 text-zinc-500" /> },
};

/**
 * A message box. Errors are announced assertively (role="alert": keep them inside a named
 * region, because Next's route announcer is an alert too); success and info politely
 * (role="status"); warnings are static text unless `live` is set.
 */
export function Alert({
  tone = "info",
  title,
  children,
  className,
  live,
  id,
}: {
  tone?: AlertTone;
  title?: ReactNode;
  children?: ReactNode;
  className?: string;
  live?: boolean;
  id?: string;
}) {
  const role = tone === "error" ? "alert" : tone === "success" || tone === "info" || live ? "status" : undefined;
  const t = tones[tone];
  return (
    <div id={id} role={role} className={cn("flex gap-2.5 rounded-md border px-3 py-2.5 text-[13px]", t.box, className)}>
      {t.icon}
      <div className="min-w-0 flex-1 space-y-0.5">
        {title ? <p className="font-medium">{title}</p> : null}
        {children ? <div className={cn(title && "opacity-90")}>{children}</div> : null}
      </div>
    </div>
  );
}
