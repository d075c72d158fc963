// A tRPC link: a mutation refused because it needs a fresh authentication (`step_up_required`)
// opens the step-up dialog and, once the person has confirmed it is them, is sent again. Every
// decision that needs step-up gets it without its form knowing.
import type { TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { AppRouter } from "@/server/api/root";
import { isStepUpRequired, requestStepUp } from "@/components/identity/step-up-store";

function orgSlugOf(input: unknown): string | null {
  const value = input && typeof input === "object" ? (input as { orgSlug?: unknown }).orgSlug : null;
  return typeof value === "string" ? value : null;
}

export const stepUpLink: TRPCLink<AppRouter> =
  () =>
  ({ op, next }) =>
    observable((observer) => {
      let subscription: Unsubscribable | null = null;
      let stopped = false;
      const attempt = (retried: boolean) => {
        subscription = next(op).subscribe({
          next: (value) => observer.next(value),
          complete: () => observer.complete(),
          error: (error) => {
            const orgSlug = orgSlugOf(op.input);
            if (retried || op.type !== "mutation" || !orgSlug || !isStepUpRequired(error)) return observer.error(error);
            void requestStepUp(orgSlug).then((ok) => {
              if (stopped) return;
              if (ok) attempt(true);
              else observer.error(error);
            });
          },
        });
      };
      attempt(false);
      return () => {
        stopped = true;
        subscription?.unsubscribe();
      };
    });
