import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Providers } from "@/components/trpc/client";
import "./globals.css";

// Every response carries a fresh CSP nonce (set by server/main.ts), so nothing can be prerendered.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Keel", template: "%s · Keel" },
  description: "Governed prompt management: versioning, evaluations, reviews, approvals and a tamper-evident audit log.",
  robots: { index: false, follow: false },
};

export const viewport: Viewport = { themeColor: "#fafafa", colorScheme: "light" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
