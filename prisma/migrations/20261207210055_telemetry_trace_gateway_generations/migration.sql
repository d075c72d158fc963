-- Trace summaries count their gateway generations that have a parent span: only those traces can
-- hold a client generation that the gateway's generation replaces (one generation per model call),
-- so a batch looks for client generations to uncount in those traces only, and an OTLP batch of
-- traces that never passed the gateway needs no lookup at all. (The lookup it replaces scanned the
-- day's generations of the project on every batch.)
ALTER TABLE telemetry.traces ADD COLUMN gateway_generations INTEGER NOT NULL DEFAULT 0;

UPDATE telemetry.traces t
SET gateway_generations = c.n
FROM (
  SELECT project_id, trace_id, count(*)::int AS n
  FROM telemetry.spans
  WHERE source = 'gateway' AND is_generation AND parent_span_id IS NOT NULL
  GROUP BY project_id, trace_id
) c
WHERE t.project_id = c.project_id AND t.trace_id = c.trace_id;
