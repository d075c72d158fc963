// @langfuse/client 4.6.1 (the previous major) with its tracing and span processor: prompt
// management and datasets against Keel (test/clients/langfuse-resources.ts has the checks).
import { LangfuseClient } from "langfuse-client-v4";
import { LangfuseSpanProcessor } from "langfuse-otel-v4";
import { setLangfuseTracerProvider, startObservation } from "langfuse-tracing-v4";
import { describeLangfuseResources } from "./langfuse-resources";

describeLangfuseResources({ label: "@langfuse/client 4", LangfuseClient, LangfuseSpanProcessor, startObservation, setLangfuseTracerProvider } as never);
