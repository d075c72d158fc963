"use client";
// Inter-annotator agreement of one queue, per rubric dimension (free text is not compared):
// Krippendorff's alpha at the dimension's level of measurement, Fleiss' kappa, Cohen's kappa when
// exactly two people reviewed, percent agreement, and per reviewer pair a table that finds the
// reviewer who disagrees with everyone. Each figure says how many items or pairs it rests on;
// a missing coefficient says why in words.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Card, CardBody, CardHeader, EmptyState, PageHeader, Spinner, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { ClipboardCheckIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { alphaReliability, coefficient, kappaReading, LEVEL_LABELS, percent, reasonText, reviewsHref } from "./model";

type Props = { orgSlug: string; projectSlug: string; projectName: string; name: string };

const LEVEL_HINTS: Record<string, string> = {
  nominal: "categories without order: any difference counts fully",
  ordinal: "ordered categories: near misses count less",
  interval: "a numeric scale: differences count by their size",
  ratio: "a ratio scale",
};

export function AgreementView({ orgSlug, projectSlug, projectName, name }: Props) {
  const trpc = useTRPC();
  const agreement = useQuery(trpc.reviews.agreement.queryOptions({ orgSlug, projectSlug, name }));
  const header = (
    <PageHeader
      eyebrow={
        <>
          {projectName} ·{" "}
          <Link href={reviewsHref(orgSlug, projectSlug)} className="hover:text-zinc-800 hover:underline">
            Reviews
          </Link>{" "}
          ·{" "}
          <Link href={reviewsHref(orgSlug, projectSlug, name)} className="hover:text-zinc-800 hover:underline">
            {name}
          </Link>
        </>
      }
      title={`Agreement · ${name}`}
      description="How far reviewers agree when they grade the same items. Low agreement means the rubric or the guidelines leave room for interpretation, and single grades cannot be trusted."
    />
  );
  if (agreement.isPending)
    return (
      <>
        {header}
        <Spinner label="Computing agreement…" />
      </>
    );
  if (agreement.isError)
    return (
      <>
        {header}
        <QueryErrorAlert title="Could not compute agreement" error={agreement.error} />
      </>
    );
  const { reviewers, dimensions } = agreement.data;
  return (
    <>
      {header}
      <Alert tone="info" className="mb-4" title="Reading the figures">
        <ul className="mt-1 list-disc space-y-0.5 pl-4">
          <li>
            <strong className="font-medium">Krippendorff&apos;s alpha</strong> is the main figure: it corrects for chance, allows missing grades and any number
            of reviewers. By Krippendorff&apos;s own thresholds, α ≥ 0.8 is reliable, 0.667–0.8 allows tentative conclusions only, below 0.667 the grades are
            unreliable.
          </li>
          <li>Kappa values read as: below 0 worse than chance, 0–0.2 slight, 0.2–0.4 fair, 0.4–0.6 moderate, 0.6–0.8 substantial, above 0.8 almost perfect.</li>
          <li>Percent agreement is easy to read but does not correct for chance: with few categories, high values come cheaply.</li>
        </ul>
      </Alert>
      <p className="mb-4 text-[13px] text-zinc-600">{reviewers.length ? `Reviewers with grades: ${reviewers.join(", ")}.` : "No grades submitted yet."}</p>
      {dimensions.length === 0 ? (
        <Card>
          <EmptyState icon={<ClipboardCheckIcon />} title="Nothing to compare" description="The rubric has only free-text dimensions." />
        </Card>
      ) : (
        <div className="flex flex-col gap-4">
          {dimensions.map((d) => (
            <DimensionCard key={d.key} d={d} twoReviewers={reviewers.length === 2} />
          ))}
        </div>
      )}
    </>
  );
}

type Dimension = {
  key: string;
  label: string;
  level: string;
  alpha: number | null;
  alphaReason: string | null;
  units: number;
  percent: number | null;
  pairs: number;
  fleiss: number | null;
  fleissReason: string | null;
  cohen: number | null;
  pairwise: { a: string; b: string; units: number; percent: number | null; kappa: number | null; alpha: number | null; reason: string | null }[];
};

function DimensionCard({ d, twoReviewers }: { d: Dimension; twoReviewers: boolean }) {
  const titleId = `dim-${d.key}`;
  const reliability = alphaReliability(d.alpha);
  return (
    <Card aria-labelledby={titleId}>
      <CardHeader
        title={d.label}
        titleId={titleId}
        description={`${capitalise(LEVEL_LABELS[d.level] ?? d.level)} level: ${LEVEL_HINTS[d.level] ?? ""}`}
        actions={reliability ? <Badge tone={reliability.tone}>{reliability.label}</Badge> : <Badge tone="outline">Not enough data</Badge>}
      />
      <CardBody className="py-4">
        <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Figure
            label="Krippendorff's alpha"
            value={d.alpha}
            basis={`${d.units} ${d.units === 1 ? "item" : "items"}`}
            note={reliability ? reliability.hint : reasonText(d.alphaReason)}
            tone={reliability?.tone}
          />
          <Figure
            label="Fleiss' kappa"
            value={d.fleiss}
            basis={`${d.units} ${d.units === 1 ? "item" : "items"}`}
            note={d.fleiss === null ? reasonText(d.fleissReason) : `${capitalise(kappaReading(d.fleiss)!)} agreement (unordered categories).`}
          />
          {twoReviewers ? (
            <Figure
              label={d.level === "nominal" ? "Cohen's kappa" : "Cohen's kappa (weighted)"}
              value={d.cohen}
              basis={`${d.pairwise[0]?.units ?? 0} items both graded`}
              note={
                d.cohen === null
                  ? reasonText(d.pairwise[0]?.reason ?? "no-pairable-units")
                  : `${capitalise(kappaReading(d.cohen)!)} agreement between the two reviewers.`
              }
            />
          ) : (
            <div>
              <dt className="text-xs text-zinc-500">Cohen&apos;s kappa</dt>
              <dd className="mt-0.5 text-lg font-semibold text-zinc-500">—</dd>
              <dd className="text-xs text-zinc-500">Only for exactly two reviewers; see the pairs below.</dd>
            </div>
          )}
          <div>
            <dt className="text-xs text-zinc-500">Percent agreement</dt>
            <dd className="mt-0.5 text-lg font-semibold text-zinc-900 tabular-nums">{percent(d.percent)}</dd>
            <dd className="text-xs text-zinc-500">
              {d.pairs} {d.pairs === 1 ? "pair" : "pairs"} of grades{d.percent === null ? `. ${reasonText("no-pairable-units")}` : ""}
            </dd>
          </div>
        </dl>
      </CardBody>
      {d.pairwise.length ? (
        <div className="border-t border-zinc-200">
          <Table caption={`${d.label}: agreement per reviewer pair`}>
            <THead>
              <TR>
                <TH>Reviewer pair</TH>
                <TH className="text-right">Items both graded</TH>
                <TH className="text-right">Percent</TH>
                <TH className="text-right">Kappa</TH>
                <TH className="text-right">Alpha</TH>
                <TH>Note</TH>
              </TR>
            </THead>
            <TBody>
              {d.pairwise.map((pair) => (
                <TR key={`${pair.a}|${pair.b}`}>
                  <TD className="text-zinc-800">
                    {pair.a} <span className="text-zinc-500">&amp;</span> {pair.b}
                  </TD>
                  <TD className="text-right tabular-nums">{pair.units}</TD>
                  <TD className="text-right tabular-nums">{percent(pair.percent)}</TD>
                  <TD className="text-right tabular-nums">{coefficient(pair.kappa)}</TD>
                  <TD className="text-right tabular-nums">{coefficient(pair.alpha)}</TD>
                  <TD className="text-xs text-zinc-500">{pair.reason ? reasonText(pair.reason) : (alphaReliability(pair.alpha)?.label ?? "")}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
        </div>
      ) : null}
    </Card>
  );
}

function capitalise(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function Figure({ label, value, basis, note, tone }: { label: string; value: number | null; basis: string; note: string; tone?: string }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd
        className={`mt-0.5 text-lg font-semibold tabular-nums ${value === null ? "text-zinc-500" : tone === "danger" ? "text-red-700" : tone === "warning" ? "text-amber-700" : tone === "success" ? "text-emerald-700" : "text-zinc-900"}`}
      >
        {coefficient(value)}
      </dd>
      <dd className="text-xs text-zinc-500">
        <span className="font-medium text-zinc-600">{basis}.</span> {note}
      </dd>
    </div>
  );
}
