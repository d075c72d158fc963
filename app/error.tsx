"use client";
// Unexpected errors (the server's message is withheld in production; the digest links to the log).
import { Button } from "@/components/ui";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="flex min-h-[60dvh] flex-col items-center justify-center gap-3 px-6 text-center">
      <h1 className="text-lg font-semibold text-zinc-900">Something went wrong</h1>
      <p className="max-w-md text-[13px] text-zinc-500">
        Keel could not show this page. Try again; if it keeps failing, give your administrator this reference:{" "}
        <code className="font-mono text-zinc-700">{error.digest ?? "none"}</code>
      </p>
      <Button variant="primary" onClick={reset}>
        Try again
      </Button>
    </main>
  );
}
