// The retention and routing form: its text fields, and the schema that turns them into what
// observability.updateSettings takes (telemetrySettingsInput), each problem on its field.
import { z } from "zod";
import { telemetrySettingsInput, type TelemetrySettingsInput } from "@/server/contracts/observability";
import type { FieldPlacement } from "@/components/lib/form-errors";
import { parseWhole } from "./model";

export type RoutingValues = {
  retentionDays: string;
  gatewayConnectionId: string;
  fallbackConnectionId: string;
  fallbackModel: string;
  gatewayTimeoutMs: string;
};

export const ROUTING_PLACEMENT: FieldPlacement<RoutingValues> = {
  labels: {
    retentionDays: "Retention",
    gatewayConnectionId: "Gateway connection",
    fallbackConnectionId: "Fallback connection",
    fallbackModel: "Fallback model",
    gatewayTimeoutMs: "Timeout",
  },
};

export function routingValues(s: TelemetrySettingsInput): RoutingValues {
  return {
    retentionDays: String(s.retentionDays),
    gatewayConnectionId: s.gatewayConnectionId ?? "",
    fallbackConnectionId: s.fallbackConnectionId ?? "",
    fallbackModel: s.fallbackModel ?? "",
    gatewayTimeoutMs: String(s.gatewayTimeoutMs),
  };
}

/** The form's values as telemetrySettingsInput ("" connections and model as null), checked by it; every problem is reported at once. */
export const routingForm = z
  .custom<RoutingValues>()
  .transform((v, ctx) => {
    const whole = (field: "retentionDays" | "gatewayTimeoutMs", unit: string) => {
      const value = parseWhole(v[field]);
      if (value !== null && !Number.isNaN(value)) return value;
      ctx.addIssue({ code: "custom", path: [field], message: `must be a whole number of ${unit}` });
      return Number.NaN;
    };
    const retentionDays = whole("retentionDays", "days");
    const gatewayTimeoutMs = whole("gatewayTimeoutMs", "milliseconds");
    if (v.fallbackConnectionId && v.fallbackConnectionId === v.gatewayConnectionId) {
      ctx.addIssue({ code: "custom", path: ["fallbackConnectionId"], message: "must differ from the gateway connection: a fallback is a second provider" });
    }
    return {
      retentionDays,
      gatewayConnectionId: v.gatewayConnectionId || null,
      fallbackConnectionId: v.fallbackConnectionId || null,
      fallbackModel: (v.fallbackModel ?? "").trim() || null, // a disabled input (no fallback connection) reads as undefined
      gatewayTimeoutMs,
    };
  })
  .pipe(telemetrySettingsInput);
