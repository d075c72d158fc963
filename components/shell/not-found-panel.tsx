import Link from "next/link";
import { Card, EmptyState, buttonClasses } from "@/components/ui";

export function NotFoundPanel() {
  return (
    <>
      <h1 className="sr-only">Page not found</h1>
      <Card as="div">
        <EmptyState
          title="Not found"
          description="This page does not exist, or it belongs to a project you cannot see."
          action={
            <Link href="/" className={buttonClasses({ variant: "secondary" })}>
              Go to your workspace
            </Link>
          }
        />
      </Card>
    </>
  );
}
