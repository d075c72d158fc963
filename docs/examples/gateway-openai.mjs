// The gateway with the official OpenAI client: a deployed prompt as the model, its template
// variables in the body (Keel's `variables` field). Run: KEEL=http://localhost:3000 KEEL_SECRET_KEY=sk-keel-… node gateway-openai.mjs
import OpenAI from "openai";

const openai = new OpenAI({ baseURL: `${process.env.KEEL}/api/gateway/v1`, apiKey: process.env.KEEL_SECRET_KEY });
const reply = await openai.chat.completions.create({
  model: "prompt:support/reply@production", // the version the production label points at
  messages: [], // appended after the prompt's own messages
  variables: { company: "Acme", policy: "Refunds within 30 days of delivery.", question: "Where is my order?" },
});
console.log(reply.choices[0].message.content);
