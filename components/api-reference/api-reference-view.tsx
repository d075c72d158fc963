"use client";
// The public API's OpenAPI 3.1 document (GET /api/public/openapi.json), rendered for reading:
// endpoints grouped by tag, each with its method and path, access (auth scheme and scope),
// parameters, request and response schemas, and a curl example with placeholders.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment, useSyncExternalStore, type ReactNode } from "react";
import { Alert, Badge, Card, CardBody, CardHeader, CopyField, PageHeader, Spinner, cn, ScrollArea } from "@/components/ui";
import { errorInfo } from "@/components/lib/errors";

type Json = Record<string, unknown>;
type Schema = Json & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  description?: string;
  enum?: unknown[];
};
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }>; headers?: Record<string, { description?: string }> }>;
  security?: Record<string, string[]>[];
  "x-keel-scope"?: string;
};
type OpenApiDoc = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, { type: string; scheme?: string; description?: string }> };
};

const noSubscription = () => () => {};

const METHODS = ["get", "post", "put", "patch", "delete", "head", "options"] as const;
const METHOD_TONES: Record<string, string> = {
  get: "bg-sky-50 text-sky-800 ring-sky-200",
  post: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  put: "bg-amber-50 text-amber-900 ring-amber-200",
  patch: "bg-amber-50 text-amber-900 ring-amber-200",
  delete: "bg-red-50 text-red-800 ring-red-200",
};

type Props = { orgSlug: string; projectSlug: string; projectName: string; canSeeKeys: boolean };

export function ApiReferenceView({ orgSlug, projectSlug, projectName, canSeeKeys }: Props) {
  const doc = useQuery({
    queryKey: ["openapi.json"],
    queryFn: async (): Promise<OpenApiDoc> => {
      const response = await fetch("/api/public/openapi.json", { headers: { accept: "application/json" } });
      if (!response.ok)
        throw new Error(
          response.status === 404
            ? "This server does not publish an OpenAPI document yet."
            : `The OpenAPI document could not be loaded (HTTP ${response.status}).`,
        );
      return (await response.json()) as OpenApiDoc;
    },
    staleTime: 5 * 60_000,
  });
  const origin = useSyncExternalStore(
    noSubscription,
    () => window.location.origin,
    () => "https://keel.example.com",
  );

  const header = (
    <PageHeader
      eyebrow={projectName}
      title="API reference"
      description={
        <>
          The REST API applications and CI use with a project API key.{" "}
          {canSeeKeys ? (
            <Link href={`/o/${orgSlug}/p/${projectSlug}/api-keys`} className="underline hover:text-zinc-800">
              Manage API keys
            </Link>
          ) : (
            "An owner or admin creates the keys."
          )}
        </>
      }
      actions={
        <a href="/api/public/openapi.json" className="text-[13px] text-zinc-600 underline hover:text-zinc-900" target="_blank" rel="noreferrer">
          openapi.json
        </a>
      }
    />
  );
  if (doc.isPending) {
    return (
      <>
        {header}
        <div className="py-16 text-center">
          <Spinner label="Loading the API reference…" />
        </div>
      </>
    );
  }
  if (doc.isError) {
    return (
      <>
        {header}
        <div role="region" aria-label="Problems">
          <Alert tone="error" title="Could not load the API reference">
            {errorInfo(doc.error).message}
          </Alert>
        </div>
      </>
    );
  }

  const d = doc.data;
  const operations = Object.entries(d.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method]! })),
  );
  const tagOrder = [...(d.tags ?? []).map((t) => t.name), ...new Set(operations.flatMap((o) => o.op.tags ?? ["Other"]))];
  const groups = [...new Set(tagOrder)]
    .map((tag) => ({ tag, description: d.tags?.find((t) => t.name === tag)?.description, ops: operations.filter((o) => (o.op.tags ?? ["Other"])[0] === tag) }))
    .filter((g) => g.ops.length);
  const resolve = (schema: Schema | undefined) => resolveRef(d, schema);

  return (
    <>
      {header}
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[14rem_minmax(0,1fr)]">
        <nav aria-label="Endpoints" className="lg:sticky lg:top-16 lg:max-h-[calc(100dvh-5rem)] lg:self-start lg:overflow-y-auto">
          <ul className="flex flex-col gap-3 text-[13px]">
            {groups.map((g) => (
              <li key={g.tag}>
                <a href={`#tag-${slug(g.tag)}`} className="text-[11px] font-medium tracking-wide text-zinc-500 uppercase hover:text-zinc-800">
                  {g.tag}
                </a>
                <ul className="mt-1 flex flex-col gap-0.5">
                  {g.ops.map(({ path, method, op }) => (
                    <li key={`${method} ${path}`}>
                      <a href={`#${opId(method, path, op)}`} className="flex items-center gap-1.5 rounded px-1.5 py-0.5 text-zinc-700 hover:bg-zinc-100">
                        <MethodBadge method={method} small />
                        <span className="truncate">{op.summary ?? path}</span>
                      </a>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </nav>
        <div className="flex min-w-0 flex-col gap-6">
          <Card aria-labelledby="api-overview-title">
            <CardHeader titleId="api-overview-title" title={`${d.info.title} ${d.info.version}`} description={`OpenAPI ${d.openapi}`} />
            <CardBody className="flex flex-col gap-4 text-[13px] text-zinc-700">
              {d.info.description ? <Markdown text={d.info.description} /> : null}
              <CopyField label="Base URL" value={origin} />
              {d.components?.securitySchemes ? (
                <div>
                  <h3 className="mb-1.5 text-[13px] font-semibold text-zinc-900">Authentication</h3>
                  <ul className="flex flex-col gap-1.5">
                    {Object.entries(d.components.securitySchemes).map(([name, s]) => (
                      <li key={name} className="flex flex-wrap items-baseline gap-2">
                        <Badge mono>{s.type === "http" ? `Authorization: ${capitalise(s.scheme ?? "")}` : s.type}</Badge>
                        <span className="text-zinc-600">{s.description}</span>
                      </li>
                    ))}
                  </ul>
                </div>
              ) : null}
            </CardBody>
          </Card>
          {groups.map((g) => (
            <section key={g.tag} id={`tag-${slug(g.tag)}`} aria-labelledby={`tag-${slug(g.tag)}-title`} className="flex scroll-mt-16 flex-col gap-3">
              <div>
                <h2 id={`tag-${slug(g.tag)}-title`} className="text-base font-semibold text-zinc-900">
                  {g.tag}
                </h2>
                {g.description ? <p className="text-[13px] text-zinc-500">{g.description}</p> : null}
              </div>
              {g.ops.map(({ path, method, op }) => (
                <OperationCard key={`${method} ${path}`} path={path} method={method} op={op} origin={origin} resolve={resolve} doc={d} />
              ))}
            </section>
          ))}
        </div>
      </div>
    </>
  );
}

function capitalise(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function slug(s: string) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

function opId(method: string, path: string, op: Operation) {
  return `op-${op.operationId ?? slug(`${method}-${path}`)}`;
}

function resolveRef(doc: OpenApiDoc, schema: Schema | undefined, depth = 0): Schema | undefined {
  if (!schema || depth > 10) return schema;
  if (schema.$ref?.startsWith("#/components/schemas/"))
    return resolveRef(doc, doc.components?.schemas?.[schema.$ref.slice("#/components/schemas/".length)], depth + 1);
  return schema;
}

function MethodBadge({ method, small }: { method: string; small?: boolean }) {
  return (
    <span
      className={cn(
        "inline-flex shrink-0 items-center justify-center rounded font-mono font-semibold uppercase ring-1 ring-inset",
        small ? "h-4 w-11 text-[9.5px]" : "h-5 px-1.5 text-[11px]",
        METHOD_TONES[method] ?? "bg-zinc-100 text-zinc-700 ring-zinc-200",
      )}
    >
      {method.toUpperCase()}
    </span>
  );
}

/** Enough Markdown for the document's descriptions: paragraphs, `code` and **bold**. */
function Markdown({ text }: { text: string }) {
  return (
    <div className="flex flex-col gap-2">
      {text.split(/\n{2,}/).map((para, i) => (
        <p key={i}>
          {para.split(/(`[^`]+`|\*\*[^*]+\*\*)/).map((part, j) =>
            part.startsWith("`") && part.endsWith("`") && part.length > 1 ? (
              <code key={j} className="rounded bg-zinc-100 px-1 font-mono text-[12px] text-zinc-800">
                {part.slice(1, -1)}
              </code>
            ) : part.startsWith("**") && part.endsWith("**") ? (
              <strong key={j} className="font-semibold text-zinc-900">
                {part.slice(2, -2)}
              </strong>
            ) : (
              <Fragment key={j}>{part}</Fragment>
            ),
          )}
        </p>
      ))}
    </div>
  );
}

function typeOf(schema: Schema | undefined, resolve: (s: Schema | undefined) => Schema | undefined): string {
  if (!schema) return "any";
  const name = schema.$ref?.split("/").at(-1);
  const s = resolve(schema);
  if (!s) return name ?? "any";
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if ("const" in s) return JSON.stringify(s.const);
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = s[key] as Schema[] | undefined;
    if (Array.isArray(options)) return options.map((o) => typeOf(o, resolve)).join(" | ");
  }
  const t = Array.isArray(s.type) ? s.type.join(" | ") : s.type;
  if (t === "array") return `${typeOf(s.items, resolve)}[]`;
  if (t === "object" && name) return name;
  return t ?? name ?? "object";
}

function SchemaView({ schema, resolve, depth = 0 }: { schema: Schema | undefined; resolve: (s: Schema | undefined) => Schema | undefined; depth?: number }) {
  const s = resolve(schema);
  if (!s) return <span className="font-mono text-xs text-zinc-500">any</span>;
  const options = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (Array.isArray(options) && depth < 6) {
    return (
      <div className="flex flex-col gap-2">
        <p className="text-xs text-zinc-500">One of:</p>
        {options.map((o, i) => (
          <div key={i} className="rounded border border-zinc-200 p-2">
            <SchemaView schema={o} resolve={resolve} depth={depth + 1} />
          </div>
        ))}
      </div>
    );
  }
  const target = s.type === "array" ? resolve(s.items) : s;
  if (!target?.properties || depth > 6) {
    return (
      <span className="font-mono text-xs text-zinc-700">
        {typeOf(schema, resolve)}
        {s.description ? <span className="ml-2 font-sans text-zinc-500">{s.description}</span> : null}
      </span>
    );
  }
  const required = new Set(target.required ?? []);
  return (
    <div>
      {s.type === "array" ? <p className="mb-1 text-xs text-zinc-500">An array of:</p> : null}
      <ul className="divide-y divide-zinc-100 rounded border border-zinc-200">
        {Object.entries(target.properties).map(([name, prop]) => {
          const resolved = resolve(prop);
          const nested = (resolved?.properties || (resolved?.type === "array" && resolve(resolved.items)?.properties)) && depth < 4;
          return (
            <li key={name} className="px-2.5 py-1.5">
              <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 text-xs">
                <span className="font-mono font-medium text-zinc-900">{name}</span>
                <span className="font-mono text-zinc-500">{typeOf(prop, resolve)}</span>
                {required.has(name) ? <span className="text-[11px] text-red-700">required</span> : <span className="text-[11px] text-zinc-500">optional</span>}
                {resolved?.description ? <span className="text-zinc-600">{resolved.description}</span> : null}
              </div>
              {nested ? (
                <div className="mt-1.5 pl-3">
                  <SchemaView schema={prop} resolve={resolve} depth={depth + 1} />
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function sample(schema: Schema | undefined, resolve: (s: Schema | undefined) => Schema | undefined, depth = 0): unknown {
  const s = resolve(schema);
  if (!s || depth > 5) return null;
  if ("example" in s) return s.example;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if ("default" in s) return s.default;
  if (s.enum?.length) return s.enum[0];
  if ("const" in s) return s.const;
  const options = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (Array.isArray(options) && options.length) return sample(options[0], resolve, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "object": {
      const required = new Set(s.required ?? []);
      return Object.fromEntries(
        Object.entries(s.properties ?? {})
          .filter(([k]) => required.has(k) || depth === 0)
          .map(([k, v]) => [k, sample(v, resolve, depth + 1)]),
      );
    }
    case "array":
      return [sample(s.items, resolve, depth + 1)];
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    case "string":
      return "<string>";
    default:
      return null;
  }
}

function curlFor(method: string, path: string, op: Operation, origin: string, resolve: (s: Schema | undefined) => Schema | undefined): string {
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => `<${name}>`);
  const query = (op.parameters ?? []).filter((p) => p.in === "query" && p.required).map((p) => `${p.name}=<${p.name}>`);
  const secured = (op.security ?? []).length > 0;
  const lines = [`curl${method === "get" ? "" : ` -X ${method.toUpperCase()}`} "${origin}${url}${query.length ? `?${query.join("&")}` : ""}"`];
  if (secured) lines.push(`  -H "Authorization: Bearer $KEEL_SECRET_KEY"`);
  const body = op.requestBody?.content?.["application/json"]?.schema;
  if (body) {
    lines.push(`  -H "Content-Type: application/json"`);
    lines.push(`  -d '${JSON.stringify(sample(body, resolve), null, 2).replace(/'/g, "'\\''")}'`);
  }
  return lines.join(" \\\n");
}

function OperationCard({
  path,
  method,
  op,
  origin,
  resolve,
}: {
  path: string;
  method: string;
  op: Operation;
  origin: string;
  resolve: (s: Schema | undefined) => Schema | undefined;
  doc: OpenApiDoc;
}) {
  const id = opId(method, path, op);
  const params = op.parameters ?? [];
  const body = op.requestBody?.content?.["application/json"]?.schema;
  const secured = (op.security ?? []).length > 0;
  const scope = op["x-keel-scope"];
  return (
    <Card id={id} aria-labelledby={`${id}-title`} className="scroll-mt-16">
      <div className="border-b border-zinc-200 px-4 py-3">
        <h3 id={`${id}-title`} className="flex flex-wrap items-center gap-2 text-sm font-semibold text-zinc-900">
          <MethodBadge method={method} />
          <code className="font-mono text-[13px] break-all">{path}</code>
        </h3>
        {op.summary ? <p className="mt-1 text-[13px] text-zinc-700">{op.summary}</p> : null}
        <p className="mt-1.5 flex flex-wrap items-center gap-1.5 text-xs text-zinc-500">
          {secured ? (
            <>
              <Badge tone="outline">Bearer or Basic</Badge>
              {scope && scope !== "any" ? (
                <Badge tone="accent" mono>
                  scope {scope}
                </Badge>
              ) : (
                <span>any valid API key</span>
              )}
            </>
          ) : (
            <Badge tone="success">No authentication</Badge>
          )}
        </p>
      </div>
      <CardBody className="flex flex-col gap-4 text-[13px] text-zinc-700">
        {op.description ? <Markdown text={op.description} /> : null}
        {params.length ? (
          <Section title="Parameters">
            <table className="w-full border-collapse text-left text-xs">
              <caption className="sr-only">Parameters of {path}</caption>
              <thead className="border-b border-zinc-200 text-zinc-500">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-medium">
                    Name
                  </th>
                  <th scope="col" className="py-1 pr-3 font-medium">
                    In
                  </th>
                  <th scope="col" className="py-1 pr-3 font-medium">
                    Type
                  </th>
                  <th scope="col" className="py-1 font-medium">
                    Description
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {params.map((p) => (
                  <tr key={`${p.in}-${p.name}`} className="align-top">
                    <td className="py-1.5 pr-3 font-mono text-zinc-900">
                      {p.name}
                      {p.required ? <span className="ml-1 font-sans text-[11px] text-red-700">required</span> : null}
                    </td>
                    <td className="py-1.5 pr-3 text-zinc-500">{p.in}</td>
                    <td className="py-1.5 pr-3 font-mono text-zinc-600">{typeOf(p.schema, resolve)}</td>
                    <td className="py-1.5 text-zinc-600">{p.description ?? resolve(p.schema)?.description ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        ) : null}
        {body ? (
          <Section title="Request body (application/json)">
            <SchemaView schema={body} resolve={resolve} />
          </Section>
        ) : null}
        {op.responses ? (
          <Section title="Responses">
            <ul className="flex flex-col gap-2">
              {Object.entries(op.responses).map(([status, r]) => {
                const schema = r.content?.["application/json"]?.schema;
                const ok = status.startsWith("2") || status.startsWith("3");
                return (
                  <li key={status}>
                    <details className="group rounded border border-zinc-200" open={status.startsWith("2") && !!schema}>
                      <summary className="flex items-baseline gap-2 px-2.5 py-1.5 text-xs">
                        <Badge tone={ok ? "success" : "danger"} mono>
                          {status}
                        </Badge>
                        <span className="text-zinc-700">{r.description}</span>
                      </summary>
                      <div className="border-t border-zinc-100 px-2.5 py-2">
                        {schema ? <SchemaView schema={schema} resolve={resolve} /> : <p className="text-xs text-zinc-500">No body.</p>}
                        {r.headers ? (
                          <p className="mt-1.5 text-xs text-zinc-500">
                            Headers: <span className="font-mono">{Object.keys(r.headers).join(", ")}</span>
                          </p>
                        ) : null}
                      </div>
                    </details>
                  </li>
                );
              })}
            </ul>
          </Section>
        ) : null}
        <Section title="Example">
          <ScrollArea as="pre" className="overflow-x-auto rounded-md bg-zinc-900 px-3 py-2 font-mono text-xs leading-relaxed text-zinc-100">
            {curlFor(method, path, op, origin, resolve)}
          </ScrollArea>
          {secured ? (
            <p className="mt-1 text-xs text-zinc-500">Replace the placeholders in angle brackets; KEEL_SECRET_KEY holds a key&apos;s secret (sk-keel-…).</p>
          ) : null}
        </Section>
      </CardBody>
    </Card>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section>
      <h4 className="mb-1.5 text-xs font-semibold tracking-wide text-zinc-500 uppercase">{title}</h4>
      {children}
    </section>
  );
}
