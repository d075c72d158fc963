"use client";
// Comparing any two versions of a prompt (?from=&to=, default: the previous and the latest):
// template by line and word, chat messages one by one, model configuration side by side.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTRPC } from "@/components/trpc/client";
import { Button, Card, CardBody, PageHeader, Select, Spinner } from "@/components/ui";
import { ArrowRightIcon, ChevronUpDownIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { VersionDiff } from "./content-diff";
import { useProviders } from "./model-config-panel";
import { promptHref } from "./model";

type Props = { orgSlug: string; projectSlug: string; projectName: string; name: string; type: "text" | "chat" };

/** A side's label follows the versions it shows: "(older)"/"(newer)" swap with the versions. */
const age = (version: number, other: number) => (version === other ? "" : version < other ? " (older)" : " (newer)");

export function CompareView({ orgSlug, projectSlug, projectName, name, type }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const prompt = useQuery(trpc.prompts.get.queryOptions({ orgSlug, projectSlug, name }));
  const providers = useProviders(orgSlug, projectSlug);
  const numbers = prompt.data?.versions.map((v) => v.version) ?? [];
  const latest = prompt.data?.latestVersion ?? 1;
  const pick = (key: string, fallback: number) => {
    const n = Number(searchParams.get(key));
    return numbers.includes(n) ? n : fallback;
  };
  const to = pick("to", latest);
  const from = pick("from", numbers.find((n) => n < to) ?? to);
  const fromVersion = useQuery({ ...trpc.prompts.version.queryOptions({ orgSlug, projectSlug, name, version: from }), enabled: !!prompt.data });
  const toVersion = useQuery({ ...trpc.prompts.version.queryOptions({ orgSlug, projectSlug, name, version: to }), enabled: !!prompt.data });
  const providerNames = Object.fromEntries((providers.data ?? []).map((p) => [p.id, p.name]));

  function choose(next: { from: number; to: number }) {
    const params = new URLSearchParams(searchParams.toString());
    params.set("from", String(next.from));
    params.set("to", String(next.to));
    router.replace(`${pathname}?${params}`, { scroll: false });
  }

  const header = (
    <PageHeader
      eyebrow={
        <>
          {projectName} ·{" "}
          <Link href={promptHref(orgSlug, projectSlug, name)} className="font-mono hover:text-zinc-800 hover:underline">
            {name}
          </Link>
        </>
      }
      title="Compare versions"
    />
  );
  if (prompt.isPending) {
    return (
      <>
        {header}
        <div className="py-16 text-center">
          <Spinner label="Loading the versions…" />
        </div>
      </>
    );
  }
  if (prompt.isError) return <QueryErrorAlert title="Could not load the prompt" error={prompt.error} />;

  const options = numbers.map((n) => (
    <option key={n} value={n}>
      Version {n}
      {n === latest ? " (latest)" : ""}
    </option>
  ));

  return (
    <>
      {header}
      <Card as="div" className="mb-4">
        <CardBody className="flex flex-wrap items-end gap-3">
          <Select label={`From${age(from, to)}`} value={String(from)} onChange={(e) => choose({ from: Number(e.target.value), to })} boxClassName="w-44">
            {options}
          </Select>
          <ArrowRightIcon className="mb-2 text-zinc-500" />
          <Select label={`To${age(to, from)}`} value={String(to)} onChange={(e) => choose({ from, to: Number(e.target.value) })} boxClassName="w-44">
            {options}
          </Select>
          <Button icon={<ChevronUpDownIcon size={14} className="rotate-90" />} onClick={() => choose({ from: to, to: from })}>
            Swap
          </Button>
        </CardBody>
        <div className="grid gap-px border-t border-zinc-200 bg-zinc-200 sm:grid-cols-2">
          {[
            { label: "From", v: fromVersion.data },
            { label: "To", v: toVersion.data },
          ].map(({ label, v }) => (
            <div key={label} className="bg-white px-4 py-2.5 text-[13px]">
              <p className="text-xs text-zinc-500">{label}</p>
              {v ? (
                <>
                  <p className="font-medium text-zinc-900">
                    Version {v.version}: {v.commitMessage}
                  </p>
                  <p className="text-xs text-zinc-500">
                    {v.authorLabel} · <Time value={v.createdAt} />
                  </p>
                </>
              ) : (
                <Spinner size={12} />
              )}
            </div>
          ))}
        </div>
      </Card>
      <Card aria-label="Differences">
        <CardBody>
          {from === to ? <p className="mb-3 text-[13px] text-zinc-500">Both sides are version {from}: choose two different versions.</p> : null}
          {fromVersion.isError ? (
            <QueryErrorAlert title="Could not load a version" error={fromVersion.error} />
          ) : toVersion.isError ? (
            <QueryErrorAlert title="Could not load a version" error={toVersion.error} />
          ) : fromVersion.data && toVersion.data ? (
            <VersionDiff
              type={type}
              before={fromVersion.data}
              after={toVersion.data}
              beforeLabel={`Version ${from}`}
              afterLabel={`Version ${to}`}
              providerNames={providerNames}
            />
          ) : (
            <Spinner label="Loading the versions…" />
          )}
        </CardBody>
      </Card>
    </>
  );
}
