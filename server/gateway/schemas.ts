// The gateway's answers as zod schemas: the OpenAPI document is generated from them
// (server/public-api/openapi.ts), and the integration tests parse the real answers with them, so
// the documented shapes are the ones sent. Requests are the schemas the handlers validate with
// (wire.ts, responses.ts, embeddings.ts).
import { z } from "zod";

export const gatewayError = z
  .object({ error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }) })
  .meta({ description: "An error in OpenAI's shape, so OpenAI clients raise their usual exceptions." });

const usage = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });
const toolCall = z.object({ id: z.string(), type: z.literal("function"), function: z.object({ name: z.string(), arguments: z.string() }) });
const tokenLogprob = z.object({
  token: z.string(),
  logprob: z.number(),
  bytes: z.array(z.number().int()).nullable(),
  top_logprobs: z.array(z.object({ token: z.string(), logprob: z.number(), bytes: z.array(z.number().int()).nullable() })),
});
const logprobs = z
  .object({ content: z.array(tokenLogprob).nullable(), refusal: z.array(tokenLogprob).nullable().optional() })
  .nullable()
  .meta({ description: "With `logprobs: true`, where the provider reports them." });

export const chatCompletionResponse = z.object({
  id: z.string(),
  object: z.literal("chat.completion"),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    // One per `n`.
    z.object({
      index: z.number().int(),
      message: z.object({ role: z.literal("assistant"), content: z.string().nullable(), refusal: z.null(), tool_calls: z.array(toolCall).optional() }),
      logprobs,
      finish_reason: z.enum(["stop", "length", "tool_calls", "content_filter"]),
    }),
  ),
  usage,
});

const outputText = z.object({ type: z.literal("output_text"), text: z.string(), annotations: z.array(z.unknown()), logprobs: z.array(z.unknown()) });
const itemStatus = z.enum(["in_progress", "completed", "incomplete"]);
export const responseOutputItem = z.discriminatedUnion("type", [
  z.object({ type: z.literal("message"), id: z.string(), status: itemStatus, role: z.literal("assistant"), content: z.array(outputText) }),
  z.object({
    type: z.literal("function_call"),
    id: z.string(),
    call_id: z.string(),
    name: z.string(),
    arguments: z.string().meta({ description: "JSON, as the model wrote it." }),
    status: itemStatus,
  }),
]);

export const responseObject = z.object({
  id: z.string(),
  object: z.literal("response"),
  created_at: z.number().int(),
  completed_at: z.number().int().nullable(),
  status: z.enum(["in_progress", "completed", "incomplete", "failed"]),
  background: z.literal(false),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  incomplete_details: z.object({ reason: z.string() }).nullable(),
  instructions: z.string().nullable(),
  max_output_tokens: z.number().int().nullable(),
  metadata: z.record(z.string(), z.string()),
  model: z.string(),
  output: z.array(responseOutputItem),
  output_text: z.string().meta({ description: "The text of every output_text part, joined (a convenience the SDKs also compute)." }),
  parallel_tool_calls: z.boolean(),
  previous_response_id: z.null(),
  reasoning: z.object({ effort: z.string().nullable(), summary: z.null() }),
  store: z.literal(false).meta({ description: "Always false: Keel's gateway does not store responses (store: true is accepted and ignored)." }),
  temperature: z.number().nullable(),
  text: z.object({ format: z.object({ type: z.enum(["text", "json_object", "json_schema"]) }).loose() }),
  tool_choice: z.union([z.string(), z.object({ type: z.string() }).loose()]),
  tools: z.array(
    z.object({
      type: z.literal("function"),
      name: z.string(),
      description: z.string().nullable(),
      parameters: z.record(z.string(), z.unknown()).nullable(),
      strict: z.boolean().nullable(),
    }),
  ),
  top_p: z.number().nullable(),
  truncation: z.literal("disabled"),
  usage: z
    .object({
      input_tokens: z.number().int(),
      input_tokens_details: z.object({ cached_tokens: z.number().int() }),
      output_tokens: z.number().int(),
      output_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
      total_tokens: z.number().int(),
    })
    .nullable(),
  user: z.string().nullable(),
});

export const embeddingsResponse = z.object({
  object: z.literal("list"),
  data: z.array(
    z.object({
      object: z.literal("embedding"),
      index: z.number().int(),
      embedding: z.union([z.array(z.number()), z.string().meta({ description: "base64 of little-endian float32s (encoding_format: base64)" })]),
    }),
  ),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
});

export const modelObject = z.object({ id: z.string(), object: z.literal("model"), created: z.number().int(), owned_by: z.literal("keel") });
export const modelList = z.object({ object: z.literal("list"), data: z.array(modelObject) });
