// The Vercel AI SDK through Keel's chat completions: the variables travel where the SDK passes
// them untouched, a Keel-Variables header and OpenAI metadata (values of 512 characters at most).
import { createOpenAI } from "@ai-sdk/openai";
import { generateText } from "ai";

const keel = createOpenAI({ baseURL: `${process.env.KEEL}/api/gateway/v1`, apiKey: process.env.KEEL_SECRET_KEY });
const { text } = await generateText({
  model: keel.chat("prompt:support/reply@production"),
  prompt: "Please keep it short.", // appended after the prompt's own messages
  headers: { "Keel-Variables": JSON.stringify({ company: "Acme", policy: "Refunds within 30 days of delivery." }) },
  providerOptions: { openai: { metadata: { keel_variables: JSON.stringify({ question: "Where is my order?" }) } } },
});
console.log(text);
