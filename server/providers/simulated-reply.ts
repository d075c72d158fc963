import "server-only";
// What the Simulated provider says: a reply composed from the prompt's own instructions, never an
// echo of its input. The system messages (or, for a single-message prompt, the message itself)
// are read for simple directives a real model would follow — greet the customer by name, a tone,
// a length ("one sentence", "two-sentence", "bullet points"), reply in JSON, classify into "one
// of: a, b, c", sign off as / end with a phrase, a language, a policy to quote, "hand over to a
// human" when unsure — and the last user message for the facts the reply needs (a customer's
// name, an order id, what the question is about). Whatever the hash picks is only wording, so an
// evaluator that checks a directive measures whether the prompt gave it.
import type { ChatMessage } from "./types";

export type Tone = "friendly" | "formal" | "empathetic" | "neutral";
export type Language = "en" | "es" | "fr" | "de" | "pt" | "it" | "nl";

export type Directives = {
  greetByName: boolean;
  tone: Tone;
  concise: boolean;
  /** At most this many sentences in the body ("one sentence", "two-sentence"). */
  sentences?: number;
  bullets: boolean;
  /** Reply in JSON; the keys of an example object in the instructions, when there is one. */
  json?: { keys: string[] };
  /** Classify into one of these (from "one of: a, b, c"); with categoryOnly the reply is just the category. */
  categories?: string[];
  categoryOnly: boolean;
  signOff?: string;
  endWith?: string;
  language: Language;
  /** "offer to hand over to a human" when unsure. */
  handOver: boolean;
  /** Sentences of a "Policy:" block the reply may quote. */
  policy: string[];
  /** How many directives were recognised (none: the reply says how it was made). */
  recognised: number;
};

export type Facts = { name?: string; orderId?: string; topic: string; subject: string; hasUser: boolean };

const LANGUAGES: Record<string, Language> = { english: "en", spanish: "es", french: "fr", german: "de", portuguese: "pt", italian: "it", dutch: "nl" };

/** Characters of instructions or of the user's message that are read: directives sit at the start. */
const READ_AT_MOST = 20_000;

/**
 * Text the directive patterns may run on: every whitespace run collapsed to one space, one newline
 * or a blank line (one linear pass), then at most READ_AT_MOST characters. Several patterns put
 * whitespace quantifiers side by side; on bounded runs they cannot backtrack on a hostile prompt.
 */
export function tame(text: string): string {
  const collapsed = text.replace(/\s+/g, (ws) => {
    const first = ws.indexOf("\n");
    if (first < 0) return " ";
    return ws.indexOf("\n", first + 1) < 0 ? "\n" : "\n\n";
  });
  return collapsed.slice(0, READ_AT_MOST);
}

/** The instruction text: the system messages, or the whole prompt when it has none (a text prompt). */
export function instructionsOf(messages: ChatMessage[]): string {
  const system = messages.filter((m) => m.role === "system").map((m) => m.content);
  return tame((system.length ? system : messages.filter((m) => m.role === "user").map((m) => m.content)).join("\n\n"));
}

/** A quoted phrase after a directive: `sign off as "The Acme team"` → The Acme team. */
function quotedAfter(text: string, lead: RegExp): string | undefined {
  const m = new RegExp(`${lead.source}\\s*(?:with\\s+|as\\s+)?["“']([^"”'\\n]{1,80})["”']`, "i").exec(text);
  return m?.[1]?.trim() || undefined;
}

const NUMBER_WORDS: Record<string, number> = { one: 1, single: 1, two: 2, three: 3, four: 4, five: 5 };

export function readDirectives(instructions: string): Directives {
  const t = instructions;
  let recognised = 0;
  const has = (re: RegExp) => {
    const yes = re.test(t);
    if (yes) recognised++;
    return yes;
  };
  const greetByName = has(
    /\b(greet|address|call)\s+(the\s+)?(customer|user|them|the person)?\s*by\s+(their\s+|first\s+)?name\b|\buse\s+the\s+(customer|user)'?s\s+(first\s+)?name\b/i,
  );
  const tone: Tone = has(/\b(empathetic|empathic|apologetic|compassionate|sympathetic)\b/i)
    ? "empathetic"
    : has(/\b(friendly|warm|casual|cheerful|playful)\b/i)
      ? "friendly"
      : has(/\b(formal|professional|polite(ly)?|courteous(ly)?)\b/i)
        ? "formal"
        : "neutral";
  const concise = has(/\b(concise|brief|short|succinct)\b/i);
  const count = /\b(one|single|two|three|four|five|[1-5])[ -]sentences?\b/i.exec(t);
  let sentences: number | undefined;
  if (count) {
    recognised++;
    sentences = NUMBER_WORDS[count[1]!.toLowerCase()] ?? Number(count[1]);
  }
  const bullets = has(/\bbullet(ed)?[ -]?(points?|list)?\b|\bas\s+a\s+(bulleted\s+)?list\b/i);
  let json: Directives["json"];
  if (has(/\b(reply|respond|answer|output|return|format)\w*\b[^.\n]{0,30}\bJSON\b|\bJSON\s+(object|only)\b/i)) {
    const example = /\{[^{}]{0,400}\}/.exec(t.slice(t.search(/JSON/i)));
    json = { keys: example ? [...new Set([...example[0].matchAll(/"([A-Za-z_][\w-]{0,40})"\s*:/g)].map((m) => m[1]!))] : [] };
  }
  const oneOf = /\bone\s+of\s*:?\s*([A-Za-z][\w -]*(?:,\s*(?:or\s+)?[A-Za-z][\w -]*)+)/i.exec(t);
  let categories = oneOf
    ? oneOf[1]!
        .split(/,\s*(?:or\s+)?|\s+or\s+/)
        .map((c) => c.trim().toLowerCase())
        .filter(Boolean)
    : undefined;
  // A list of short labels, not a sentence that happens to say "one of".
  if (categories && !categories.every((c) => c.split(" ").length <= 3)) categories = undefined;
  if (categories) recognised++;
  const categoryOnly = !!categories && has(/\b(category|label|class|answer)\s+only\b|\bonly\s+(the|with\s+the)\s+(category|label|class)\b/i);
  const signOff = quotedAfter(t, /\bsign(?:\s|-)?off/);
  const endWith = quotedAfter(t, /\bend\s+(?:your\s+|the\s+|each\s+)?(?:reply|answer|message|response)?\s*(?:with)/);
  if (signOff) recognised++;
  if (endWith) recognised++;
  const lang = /\b(?:reply|respond|answer|write|speak)\b[^.\n]{0,30}\bin\s+(English|Spanish|French|German|Portuguese|Italian|Dutch)\b/i.exec(t);
  if (lang) recognised++;
  const handOver = has(/\bhand(\s|-)?(it\s+)?over\b|\bescalate\b|\b(human|colleague|agent)\b[^.\n]{0,20}\b(help|take over)\b/i);
  const policyBlock = /\bpolicy\s*:\s*\n?([\s\S]+?)(?:\n\s*\n|$)/i.exec(t);
  const policy = policyBlock
    ? policyBlock[1]!
        .split(/(?<=[.!?])\s+|\n+/)
        .map((s) => s.trim())
        .filter((s) => s.length > 3)
    : [];
  if (policy.length) recognised++;
  return {
    greetByName,
    tone,
    concise,
    sentences,
    bullets,
    json,
    categories,
    categoryOnly,
    signOff,
    endWith,
    language: lang ? LANGUAGES[lang[1]!.toLowerCase()]! : "en",
    handOver,
    policy,
    recognised,
  };
}

// ----- facts from the user's message ----------------------------------------------------------

const NAME = "([A-Z][a-zA-Z'’-]+(?:\\s+[A-Z][a-zA-Z'’-]+)?)";
const NAME_PATTERNS = [
  new RegExp(`\\b(?:Customer|Name|Customer name|From)\\s*:\\s*${NAME}`),
  new RegExp(`\\b(?:[Mm]y name is|[Tt]his is|I am|I'm)\\s+${NAME}\\b`),
];
const NOT_NAMES = new Set(["Order", "Unknown", "Not", "Sorry", "Having", "Trying", "Still", "Very", "So", "The", "A", "An"]);

/** Keyword families: what a question is about, and which policy sentences speak to it. */
const TOPICS: { re: RegExp; phrase: string; policy: RegExp }[] = [
  { re: /\brefund/i, phrase: "your refund", policy: /\b(refund|return)/i },
  { re: /\b(broken|damaged|defective)\b/i, phrase: "the damaged item", policy: /\b(damaged|refund|return)/i },
  { re: /\bexchange/i, phrase: "exchanging your item", policy: /\b(return|refund|exchange)/i },
  { re: /\breturn/i, phrase: "returning your item", policy: /\b(return|refund)/i },
  { re: /\bcancel/i, phrase: "cancelling your order", policy: /\bcancel/i },
  { re: /\b(charged|charge|duplicate|declined)\b/i, phrase: "the charge on your account", policy: /\b(charge|billing|duplicate)/i },
  { re: /\binvoice/i, phrase: "your invoice", policy: /\binvoice/i },
  { re: /\b(password|log ?in|sign ?in|reset)\b/i, phrase: "signing in to your account", policy: /\b(password|account|login)/i },
  { re: /\b(e-?mail address|account)\b/i, phrase: "your account details", policy: /\baccount/i },
  { re: /\b(ship|shipping|shipped|deliver\w*|parcel|package|courier|tracking)\b/i, phrase: "your delivery", policy: /\bship/i },
  { re: /\b(payment|card|secure\w*)\b/i, phrase: "your payment details", policy: /\b(payment|card)/i },
  { re: /\b(crash\w*|error|bug|app|website|button)\b/i, phrase: "the technical problem you ran into", policy: /\b(technical|support)/i },
];

/** Words that say what a category is about (a category's own name always counts). */
const CATEGORY_WORDS: Record<string, RegExp> = {
  billing: /\b(bill\w*|charg\w*|invoice\w*|card|payment\w*|paid|pay|price\w*|subscription\w*|money|refund\w*)\b/gi,
  shipping: /\b(ship\w*|deliver\w*|parcel\w*|package\w*|courier\w*|tracking|pickup|carrier)\b/gi,
  technical: /\b(app|apps|crash\w*|error\w*|bug\w*|log ?in|login|website|button|browser|safari|chrome|password)\b/gi,
  account: /\b(account|password|e-?mail|log ?in|login|sign ?in)\b/gi,
  refund: /\b(refund\w*|return\w*|exchange\w*|money back)\b/gi,
  orders: /\b(order\w*|cancel\w*)\b/gi,
};

/** The data part of a single-message prompt ("…\n\nTicket:\n<data>"), else the message. */
function subjectOf(userText: string): string {
  const block = /(?:^|\n)[^\n]{1,160}:\s*\n([\s\S]+)$/.exec(userText);
  const text = block ? block[1]! : userText;
  return text
    .split("\n")
    .filter((line) => !/^\s*(Customer|Name|From)\s*:/i.test(line))
    .join("\n")
    .trim();
}

export function readFacts(messages: ChatMessage[]): Facts {
  const userText = tame(messages.findLast((m) => m.role === "user")?.content ?? "");
  let name: string | undefined;
  for (const re of NAME_PATTERNS) {
    const m = re.exec(userText);
    const first = m?.[1]?.split(/\s+/)[0];
    if (first && !NOT_NAMES.has(first)) {
      name = first;
      break;
    }
  }
  const order = /\border\s*(?:no\.?|number|id)?\s*:?\s*(#?[A-Z0-9][A-Z0-9-]{2,})\b/i.exec(userText);
  const subject = subjectOf(userText);
  return {
    name,
    orderId: order?.[1] && /\d/.test(order[1]) ? order[1] : undefined,
    topic: topicOf(subject).phrase,
    subject,
    hasUser: userText.trim().length > 0,
  };
}

const STOPWORDS = new Set(
  "about above after again also because been before being could does doing from have having here into just like make more most much need only other over please should some such tell than that their them then there these they this those very want what when where which while will with would write your yours".split(
    " ",
  ),
);

function topicOf(subject: string): { phrase: string; policy?: RegExp } {
  const known = TOPICS.find((t) => t.re.test(subject));
  if (known) return known;
  // Not a known subject: name it by its longest words (never the message itself).
  const words = [...new Set(subject.toLowerCase().match(/[a-z][a-z'-]{3,}/g) ?? [])]
    .filter((w) => !STOPWORDS.has(w))
    .sort((a, b) => b.length - a.length || a.localeCompare(b))
    .slice(0, 3);
  return { phrase: words.length ? `your message (${words.join(", ")})` : "your message" };
}

/** The category whose words the text mentions most; "other" (or the first) when none. */
export function classify(categories: string[], text: string): string {
  let best: { category: string; hits: number } | undefined;
  for (const category of categories) {
    const own = new RegExp(`\\b${category.replace(/[^\w ]/g, "").replace(/\s+/g, "\\s+")}`, "gi");
    const hits = (text.match(own)?.length ?? 0) + (CATEGORY_WORDS[category]?.[Symbol.match](text)?.length ?? 0);
    if (hits > 0 && (!best || hits > best.hits)) best = { category, hits };
  }
  return best?.category ?? categories.find((c) => c === "other") ?? categories[0] ?? "other";
}

// ----- wording --------------------------------------------------------------------------------

type Bank = { hello: string; thanks: string[]; closing: string[]; policyLead: string[]; handOver: string; unknown: string };

const ENGLISH: Record<Tone, { ack: string[]; closing: string[] }> = {
  friendly: {
    ack: ["Thanks for reaching out about {topic}!", "Happy to help with {topic}.", "Good question about {topic}, let me help."],
    closing: ["Anything else I can help with?", "Let me know if there's anything else!", "Hope that helps!"],
  },
  formal: {
    ack: [
      "Thank you for contacting us regarding {topic}.",
      "We have received your enquiry regarding {topic}.",
      "Thank you for your message concerning {topic}.",
    ],
    closing: ["Please let us know if you require further assistance.", "We remain at your disposal for any further questions.", "Kind regards."],
  },
  empathetic: {
    ack: ["I'm sorry for the trouble with {topic}.", "I understand how frustrating {topic} can be.", "I'm sorry to hear about {topic}."],
    closing: ["I'm here if you need anything else.", "Thank you for your patience.", "Please reach out again if it is not resolved."],
  },
  neutral: {
    ack: ["This is about {topic}.", "Here is what I can tell you about {topic}.", "You are asking about {topic}."],
    closing: ["Is there anything else?", "That is all the information available.", "Further questions are welcome."],
  },
};

const OTHER_LANGUAGES: Record<Exclude<Language, "en">, Bank> = {
  es: {
    hello: "Hola",
    thanks: ["Gracias por tu mensaje.", "Gracias por escribirnos.", "Con gusto te ayudo."],
    closing: ["¿Algo más en lo que pueda ayudarte?", "Saludos cordiales.", "Quedamos a tu disposición."],
    policyLead: ["Nuestra política:"],
    handOver: "Puedo pasarte con un compañero para confirmarlo.",
    unknown: "No tengo esa información.",
  },
  fr: {
    hello: "Bonjour",
    thanks: ["Merci pour votre message.", "Merci de nous avoir écrit.", "Avec plaisir, je vous aide."],
    closing: ["Puis-je vous aider avec autre chose ?", "Cordialement.", "Nous restons à votre disposition."],
    policyLead: ["Notre politique :"],
    handOver: "Je peux vous mettre en relation avec un collègue pour le confirmer.",
    unknown: "Je n'ai pas cette information.",
  },
  de: {
    hello: "Hallo",
    thanks: ["Danke für Ihre Nachricht.", "Vielen Dank, dass Sie uns schreiben.", "Gern helfe ich Ihnen."],
    closing: ["Kann ich sonst noch helfen?", "Freundliche Grüße.", "Wir sind gern für Sie da."],
    policyLead: ["Unsere Richtlinie:"],
    handOver: "Ich kann Sie an eine Kollegin oder einen Kollegen weiterleiten.",
    unknown: "Diese Information habe ich nicht.",
  },
  pt: {
    hello: "Olá",
    thanks: ["Obrigado pela sua mensagem.", "Obrigado por nos escrever.", "Com todo o gosto ajudo."],
    closing: ["Posso ajudar em mais alguma coisa?", "Com os melhores cumprimentos.", "Estamos ao dispor."],
    policyLead: ["A nossa política:"],
    handOver: "Posso passá-lo a um colega para confirmar.",
    unknown: "Não tenho essa informação.",
  },
  it: {
    hello: "Ciao",
    thanks: ["Grazie per il messaggio.", "Grazie per averci scritto.", "Volentieri ti aiuto."],
    closing: ["Posso aiutarti in altro?", "Cordiali saluti.", "Restiamo a disposizione."],
    policyLead: ["La nostra politica:"],
    handOver: "Posso passarti a un collega per confermarlo.",
    unknown: "Non ho questa informazione.",
  },
  nl: {
    hello: "Hallo",
    thanks: ["Bedankt voor je bericht.", "Bedankt dat je ons schrijft.", "Ik help je graag."],
    closing: ["Kan ik nog ergens mee helpen?", "Met vriendelijke groet.", "We staan voor je klaar."],
    policyLead: ["Ons beleid:"],
    handOver: "Ik kan je doorverbinden met een collega om het te bevestigen.",
    unknown: "Die informatie heb ik niet.",
  },
};

const HELLO: Record<Tone, string> = { friendly: "Hi", formal: "Dear", empathetic: "Hi", neutral: "Hello" };

/** Said only when nothing in the prompt was recognised as a directive: how this reply was made. */
const NOTES = [
  "No model was called: this reply was composed locally from the prompt's instructions.",
  "The same model, messages and sampling settings always produce this same reply.",
  "Connect a provider in the project settings to see a real model's answer.",
  "Give the prompt instructions (a tone, a length, greet the customer by name, reply in JSON) and this reply follows them.",
];

/** Picks from a list by a hash byte; `offset` makes the n choices of one request differ. */
const pick = <T>(list: readonly T[], byte: number, offset = 0): T => list[(byte + offset) % list.length]!;

export type Composed = { prose: string; category?: string; json?: Record<string, unknown> };

/**
 * The reply to a conversation, without the "[Simulated] " mark. `h` is the request's hash (it
 * picks the wording), `choice` the index among n choices (it shifts the wording so they differ).
 */
export function composeReply(messages: ChatMessage[], h: Buffer, choice = 0, model = ""): Composed {
  const d = readDirectives(instructionsOf(messages));
  const f = readFacts(messages);
  if (!f.hasUser) return { prose: "There was no user message to answer." };
  const category = d.categories?.length ? classify(d.categories, f.subject) : undefined;
  if (category && d.categoryOnly && !d.json) return { prose: category, category };

  const lang = d.language;
  const bank = lang === "en" ? undefined : OTHER_LANGUAGES[lang];
  const body: string[] = [];
  // "Hi Maria!" ("Dear Maria," on its own line when formal); "Hi there!" when the message names nobody.
  const greeting = d.greetByName
    ? `${bank?.hello ?? HELLO[d.tone]} ${f.name ?? (lang === "en" ? "there" : "")}`.trim() + (d.tone === "formal" ? ",\n" : "!")
    : "";
  body.push(bank ? pick(bank.thanks, h[0]!, choice) : pick(ENGLISH[d.tone].ack, h[0]!, choice).replace("{topic}", f.topic));
  if (category) body.push(lang === "en" ? `This looks like a ${category} question.` : `(${category})`);
  if (f.orderId && lang === "en")
    body.push(pick([`I have noted order ${f.orderId}.`, `I'm looking at order ${f.orderId}.`, `Order ${f.orderId} is on file.`], h[4]!));
  const topic = topicOf(f.subject);
  const cited = topic.policy ? d.policy.filter((s) => topic.policy!.test(s)).slice(0, 2) : [];
  if (cited.length) {
    const lead = bank ? bank.policyLead[0]! : pick(["Our policy:", "Per our policy:", "Under our policy:"], h[2]!);
    body.push(`${lead} ${cited.join(" ")}`);
  } else if (d.policy.length && d.handOver) {
    body.push(
      bank
        ? bank.handOver
        : pick(
            [
              "Our policy does not cover this, so I can hand you over to a colleague who can help.",
              "I can't confirm this from our policy; a colleague can take over if you like.",
            ],
            h[2]!,
          ),
    );
  } else if (d.handOver) {
    body.push(bank ? bank.handOver : "If I'm unsure, I can hand you over to a colleague.");
  }
  const closing = bank ? pick(bank.closing, h[1]!, Math.floor(choice / 3)) : pick(ENGLISH[d.tone].closing, h[1]!, Math.floor(choice / 3));

  let sentences = body;
  if (d.sentences) sentences = body.slice(0, d.sentences);
  else if (!d.concise && !d.bullets) sentences = [...body, closing];
  else if (d.concise) sentences = body.slice(0, 3);
  if (d.recognised === 0) sentences = [...sentences, pick(NOTES, h[3]!).replace("this reply", model ? `this reply (for ${model})` : "this reply")];

  let prose = d.bullets ? sentences.map((s) => `- ${s}`).join("\n") : sentences.join(" ");
  if (greeting) prose = d.bullets || greeting.endsWith("\n") ? `${greeting.trimEnd()}\n${prose}` : `${greeting} ${prose}`;
  if (d.signOff) prose += `${d.bullets ? "\n" : " "}— ${d.signOff}`;
  if (d.endWith && !prose.endsWith(d.endWith)) prose += ` ${d.endWith}`;

  if (!d.json) return { prose, category };
  const keys = d.json.keys;
  const json: Record<string, unknown> = {};
  for (const key of keys.length ? keys : ["reply"]) json[key] = valueFor(key, { category, prose, h });
  return { prose, category, json };
}

/** A value for a JSON key the instructions named: the category, a confidence, else the reply's text. */
export function valueFor(key: string, c: { category?: string; prose: string; h: Buffer }): unknown {
  if (/^(category|label|class|intent|topic)$/i.test(key) && c.category) return c.category;
  if (/confidence|probability|score/i.test(key)) return Math.round((0.6 + (c.h[5]! % 36) / 100) * 100) / 100;
  return c.prose;
}
