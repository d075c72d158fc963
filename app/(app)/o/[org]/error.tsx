"use client";
// Unexpected errors inside an organization keep the navigation around them.
import { Button, Card, EmptyState } from "@/components/ui";
import { AlertCircleIcon } from "@/components/ui/icons";

export default function OrgError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <>
      <h1 className="sr-only">Something went wrong</h1>
      <Card as="div">
        <EmptyState
          icon={<AlertCircleIcon size={18} />}
          title="Something went wrong"
          description={
            <>
              Keel could not show this page. Try again; if it keeps failing, give your administrator this reference:{" "}
              <code className="font-mono text-zinc-700">{error.digest ?? "none"}</code>
            </>
          }
          action={
            <Button variant="primary" onClick={reset}>
              Try again
            </Button>
          }
        />
      </Card>
    </>
  );
}
