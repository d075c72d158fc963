import "server-only";
// Langfuse endpoints Keel does not serve. An SDK pointed at Keel may call them (trace and
// observation reads, sessions, media, comments, annotation queues, score configs, models); they
// get a 501 naming what is not supported instead of a bare 404 that SDKs report as a missing
// object, or swallow.

const UNSUPPORTED: { prefix: string; what: string }[] = [
  {
    prefix: "/api/public/traces",
    what: "reading or deleting traces (Keel's trace explorer is in the app; send traces with POST /api/public/ingestion or OTLP)",
  },
  { prefix: "/api/public/observations", what: "reading observations (Keel's trace explorer is in the app)" },
  { prefix: "/api/public/v2/observations", what: "reading observations (Keel's trace explorer is in the app)" },
  { prefix: "/api/public/sessions", what: "sessions" },
  { prefix: "/api/public/media", what: "media uploads" },
  { prefix: "/api/public/comments", what: "comments" },
  { prefix: "/api/public/annotation-queues", what: "annotation queues (Keel has review queues, in the app)" },
  { prefix: "/api/public/score-configs", what: "score configs" },
  { prefix: "/api/public/models", what: "model definitions (set prices in the app: Settings → Observability)" },
  { prefix: "/api/public/metrics", what: "the metrics API (Keel's dashboards are in the app)" },
  { prefix: "/api/public/v2/metrics", what: "the metrics API (Keel's dashboards are in the app)" },
  { prefix: "/api/public/v3/scores", what: "the v3 scores API (use GET /api/public/scores or /api/public/v2/scores)" },
  { prefix: "/api/public/llm-connections", what: "LLM connections (set them up in the app)" },
  { prefix: "/api/public/organizations", what: "organization management" },
  { prefix: "/api/public/blob-storage-integrations", what: "blob storage integrations" },
];

/** The message for a Langfuse endpoint Keel does not support, or null for any other path. */
export function unsupportedLangfuseEndpoint(method: string, pathname: string): string | null {
  for (const { prefix, what } of UNSUPPORTED) {
    if (pathname === prefix || pathname.startsWith(`${prefix}/`))
      return `Keel does not support ${method} ${prefix}${pathname.length > prefix.length ? "/…" : ""} (Langfuse API: ${what}). See docs/api.md, "Langfuse compatibility".`;
  }
  return null;
}
