// @langfuse/client 5.11.1 (current major) with @langfuse/tracing and @langfuse/otel: prompt
// management and datasets against Keel (test/clients/langfuse-resources.ts has the checks).
import { LangfuseClient } from "@langfuse/client";
import { configureGlobalLogger, LogLevel } from "@langfuse/core";
import { LangfuseSpanProcessor } from "@langfuse/otel";
import { setLangfuseTracerProvider, startObservation } from "@langfuse/tracing";
import { describeLangfuseResources } from "./langfuse-resources";

configureGlobalLogger({ level: LogLevel.NONE });
describeLangfuseResources({ label: "@langfuse/client 5", LangfuseClient, LangfuseSpanProcessor, startObservation, setLangfuseTracerProvider } as never);
