"use client";
// The error box for a failed query: the server's message, and a way back in when the session
// has ended (e.g. after a password change in another browser).
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { errorInfo } from "./errors";

export function QueryErrorAlert({ title, error }: { title: string; error: unknown }) {
  const info = errorInfo(error);
  if (info.code === "UNAUTHORIZED") {
    return (
      <Alert tone="error" title="Your session has ended">
        <Link href="/sign-in" className="font-medium underline">
          Sign in again
        </Link>{" "}
        to continue.
      </Alert>
    );
  }
  return (
    <Alert tone="error" title={title}>
      {info.message}
    </Alert>
  );
}
