import { cn } from "./cn";

/**
 * A small rotating ring. Decorative inside a button (pass no label); standalone, give it a label
 * and it becomes a polite status region ("Loading members…").
 */
export function Spinner({ label, size = 16, className }: { label?: string; size?: number; className?: string }) {
  const ring = (
    <svg width={size} height={size} viewBox="0 0 24 24" className={cn("animate-spin text-current", className)} aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="9" stroke="currentColor" strokeOpacity="0.2" strokeWidth="3" fill="none" />
      <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="3" strokeLinecap="round" fill="none" />
    </svg>
  );
  if (!label) return ring;
  return (
    <span role="status" className="inline-flex items-center gap-2 text-zinc-500">
      {ring}
      <span>{label}</span>
    </span>
  );
}
