// LangChain's ChatOpenAI through Keel: a default header for the variables every call shares, and
// `modelKwargs` (merged into each request body) for Keel's `variables` field.
import { ChatOpenAI } from "@langchain/openai";

const model = new ChatOpenAI({
  model: "prompt:support/reply@production",
  apiKey: process.env.KEEL_SECRET_KEY,
  configuration: {
    baseURL: `${process.env.KEEL}/api/gateway/v1`,
    defaultHeaders: { "Keel-Variables": JSON.stringify({ company: "Acme", policy: "Refunds within 30 days of delivery." }) },
  },
  modelKwargs: { variables: { question: "Where is my order?" } },
});
const reply = await model.invoke("Please keep it short.");
console.log(reply.content);
