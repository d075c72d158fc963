// Inter-annotator agreement for human review queues: how far reviewers (coders) agree when they
// grade the same items (units) on one rubric dimension. Percent agreement, Cohen's kappa (plain
// and weighted) for two coders, Fleiss' kappa for many, Krippendorff's alpha for any number of
// coders with missing data at the nominal, ordinal, interval and ratio levels, and a pairwise
// table to find the reviewer who disagrees with everyone. Pure numeric code with no imports,
// like `../evaluations/stats`; every routine names the reference it follows.
//
// Two kinds of failure, kept apart on purpose:
// - Input that cannot be right (a NaN score, one reviewer grading one item twice, text labels
//   on an interval scale) throws a RangeError.
// - Data that is valid but too thin for a coefficient (nobody double-graded anything, every
//   grade identical so chance agreement is already perfect) is normal in a young review queue;
//   those results carry `null` in place of the coefficient and a `reason` code saying why,
//   never NaN. Each result also says how many units and pairs it rests on.

// ---------------------------------------------------------------------------------------------
// Data shape

/** A grade: a number (a point on a scale), a string (a category label) or a boolean. */
export type RatingValue = number | string | boolean;

/**
 * One grade of one unit (the item being reviewed) by one coder (the reviewer). Reliability data
 * in Krippendorff's sense is a list of these: a sparse units × coders matrix in which a missing
 * cell is either an absent entry or an entry with `value: null`. A coder may grade a unit at most
 * once (a second non-null value for the same unit and coder is a RangeError), and all values of
 * one data set must share a type (number, string or boolean): mixing `1` and `"1"` is a
 * RangeError rather than two silently different categories. Numbers must be finite.
 */
export type Rating<T extends RatingValue = RatingValue> = { unit: string; coder: string; value: T | null };
export type Ratings<T extends RatingValue = RatingValue> = readonly Rating<T>[];

/** Krippendorff's levels of measurement; they choose the difference function (metric). */
export type MeasurementLevel = "nominal" | "ordinal" | "interval" | "ratio";
export type KappaWeights = "linear" | "quadratic";

/**
 * Why a coefficient is `null`:
 * - "no-pairable-units": no unit has values from two or more coders (for Cohen's kappa: the two
 *   coders share no unit), so there is nothing to compare.
 * - "no-variation": every compared value is the same category, so expected disagreement is 0
 *   and the coefficient is 0/0. Observed agreement is then perfect, but the data cannot show
 *   that the coders tell categories apart (Krippendorff 2011 notes alpha is undefined here).
 * - "unequal-raters": Fleiss' kappa only: units have different numbers of ratings.
 */
import type { AgreementNullReason } from "../../contracts/reviews";

export type { AgreementNullReason };

/** One sentence per reason, for a UI that shows "—" in place of a coefficient. */

export type OrderOptions<T extends RatingValue> = {
  /**
   * The categories from lowest to highest, for ordered comparisons (ordinal alpha, weighted
   * kappa) of string labels, or to override the natural order of numbers (ascending) and
   * booleans (false < true). With an order, a category's position is its index in the list.
   * Every observed value must be listed; listed but unused categories are allowed.
   */
  order?: readonly T[];
};

// ---------------------------------------------------------------------------------------------
// Results

export type PercentAgreementResult = {
  /** agreeing / pairs, or null when pairs = 0. */
  value: number | null;
  /** Units with values from at least two coders. */
  units: number;
  /** Unordered pairs of values from different coders within those units: Σ m_u(m_u − 1)/2. */
  pairs: number;
  agreeing: number;
  reason: "no-pairable-units" | null;
};

export type CohensKappaResult = {
  kappa: number | null;
  /** Observed (weighted) agreement p_o; null when the coders share no unit. */
  observed: number | null;
  /** Chance-expected (weighted) agreement p_e from the two coders' marginals; null likewise. */
  expected: number | null;
  /** Units both coders graded. */
  units: number;
  weights: KappaWeights | null;
  reason: "no-pairable-units" | "no-variation" | null;
};

export type FleissKappaResult = {
  kappa: number | null;
  /** Mean per-unit agreement P̄; null when no unit could be used. */
  observed: number | null;
  /** Chance agreement P̄_e = Σ_j p_j²; null likewise. */
  expected: number | null;
  /** Units used: those with at least two ratings. */
  units: number;
  /** Ratings per unit, or null when there are no usable units or the counts differ. */
  raters: number | null;
  reason: AgreementNullReason | null;
};

export type KrippendorffAlphaResult = {
  alpha: number | null;
  level: MeasurementLevel;
  /** Units with values from at least two coders (the only ones that enter alpha). */
  units: number;
  /** n: the number of pairable values, i.e. all values in those units. */
  pairable: number;
  /** D_o = (1/n) Σ_c Σ_k o_ck δ²_ck; null when n = 0. */
  observedDisagreement: number | null;
  /** D_e = 1/(n(n − 1)) Σ_c Σ_k n_c n_k δ²_ck; null when n = 0. */
  expectedDisagreement: number | null;
  reason: "no-pairable-units" | "no-variation" | null;
};

export type PairAgreement = {
  a: string;
  b: string;
  /** Units both coders graded (always ≥ 1). */
  units: number;
  /** Share of those units on which the two values are identical. */
  percent: number;
  /** Cohen's kappa, weighted by level (see `pairwiseAgreement`). */
  kappa: number | null;
  /** Krippendorff's alpha at the requested level on the two coders' shared units. */
  alpha: number | null;
  /** Why kappa and alpha are null (both are null in exactly the same case). */
  reason: "no-variation" | null;
};

// ---------------------------------------------------------------------------------------------
// Percent agreement

/**
 * Pairwise percent agreement: within each unit with m ≥ 2 values, each of its m(m − 1)/2
 * unordered pairs of values (from different coders) agrees when the two values are identical;
 * the result is agreeing pairs / all such pairs, pooled over units (so a unit with more coders
 * weighs more, as in the observed agreement of Fleiss' kappa and Krippendorff's alpha). Exact
 * equality only, whatever the scale. No correction for chance: prefer alpha or kappa when
 * categories are unbalanced.
 */
export function percentAgreement<T extends RatingValue>(ratings: Ratings<T>): PercentAgreementResult {
  const { units } = collect(ratings, "percentAgreement");
  let pairable = 0;
  let pairs = 0;
  let agreeing = 0;
  for (const byCoder of units.values()) {
    const m = byCoder.size;
    if (m < 2) continue;
    pairable++;
    pairs += (m * (m - 1)) / 2;
    for (const count of countValues(byCoder.values()).values()) agreeing += (count * (count - 1)) / 2;
  }
  if (pairs === 0) return { value: null, units: 0, pairs: 0, agreeing: 0, reason: "no-pairable-units" };
  return { value: agreeing / pairs, units: pairable, pairs, agreeing, reason: null };
}

// ---------------------------------------------------------------------------------------------
// Cohen's kappa

/**
 * Cohen's kappa for two coders on the units both graded (J. Cohen, "A coefficient of agreement
 * for nominal scales", Educational and Psychological Measurement 20, 1960): with p_ck the share
 * of shared units coded c by A and k by B, p_o = Σ_c p_cc, p_e = Σ_c p_c· p_·c and
 * κ = (p_o − p_e)/(1 − p_e).
 *
 * `weights` gives weighted kappa for ordered categories (J. Cohen, "Weighted kappa",
 * Psychological Bulletin 70, 1968), written with disagreement weights w_ck in [0, 1]:
 * κ_w = 1 − Σ w_ck p_ck / Σ w_ck p_c· p_·k, and p_o = 1 − Σ w_ck p_ck, p_e = 1 − Σ w_ck p_c· p_·k
 * (so κ_w = (p_o − p_e)/(1 − p_e) as before). With positions x (see below) and span the largest
 * possible |x_c − x_k|, linear weights are |x_c − x_k|/span and quadratic (x_c − x_k)²/span²
 * (Fleiss & Cohen 1973 show quadratic-weighted kappa approximates the intraclass correlation).
 * A category's position is its index in `order` when given; otherwise numbers are their own
 * positions (so a 1–5 rating keeps its spacing even if 3 is never used; scikit-learn's
 * `cohen_kappa_score` instead uses the index among the labels seen, which is the same when the
 * labels are consecutive integers), booleans are 0 and 1, and strings need `order`. The span is
 * that of `order` when given, else of the values seen; it rescales p_o and p_e but cancels in κ.
 * Without weights, values are compared for identity only (any type).
 *
 * Null: "no-pairable-units" when the coders share no unit; "no-variation" when every shared
 * value is one category (p_e = 1; p_o = p_e = 1 are still reported).
 */
export function cohensKappa<T extends RatingValue>(
  ratings: Ratings<T>,
  coderA: string,
  coderB: string,
  options: OrderOptions<T> & { weights?: KappaWeights } = {},
): CohensKappaResult {
  const where = "cohensKappa";
  if (coderA === coderB) throw new RangeError(`${where}: needs two different coders, got "${coderA}" twice`);
  const { weights } = options;
  if (weights !== undefined && weights !== "linear" && weights !== "quadratic") {
    throw new RangeError(`${where}: weights must be "linear" or "quadratic", got ${String(weights)}`);
  }
  if (options.order !== undefined && weights === undefined) throw new RangeError(`${where}: options.order applies to weighted kappa only`);
  const { units } = collect(ratings, where);
  const pairs: [T, T][] = [];
  for (const byCoder of units.values()) {
    const a = byCoder.get(coderA);
    const b = byCoder.get(coderB);
    if (a !== undefined && b !== undefined) pairs.push([a, b]);
  }
  return kappaOfPairs(pairs, weights ?? null, options.order, where);
}

function kappaOfPairs<T extends RatingValue>(
  pairs: readonly (readonly [T, T])[],
  weights: KappaWeights | null,
  order: readonly T[] | undefined,
  where: string,
): CohensKappaResult {
  const n = pairs.length;
  if (n === 0) return { kappa: null, observed: null, expected: null, units: 0, weights, reason: "no-pairable-units" };
  const position = weights === null ? null : positionFunction(pairs.flat(), order, where);
  const categories = distinct(pairs.flat());
  if (categories.length < 2) return { kappa: null, observed: 1, expected: 1, units: n, weights, reason: "no-variation" };

  const index = new Map(categories.map((c, i) => [c, i] as const));
  const q = categories.length;
  const joint = new Float64Array(q * q);
  const rowTotals = new Float64Array(q);
  const columnTotals = new Float64Array(q);
  for (const [a, b] of pairs) {
    const i = index.get(a) as number;
    const j = index.get(b) as number;
    joint[i * q + j] = (joint[i * q + j] as number) + 1;
    rowTotals[i] = (rowTotals[i] as number) + 1;
    columnTotals[j] = (columnTotals[j] as number) + 1;
  }

  let weight: (i: number, j: number) => number = (i, j) => (i === j ? 0 : 1);
  if (position !== null) {
    const x = categories.map(position);
    const span = order !== undefined ? order.length - 1 : Math.max(...x) - Math.min(...x);
    weight = (i, j) => {
      const d = Math.abs((x[i] as number) - (x[j] as number)) / span;
      return weights === "quadratic" ? d * d : d;
    };
  }
  let observedDisagreement = 0;
  let expectedDisagreement = 0;
  for (let i = 0; i < q; i++) {
    for (let j = 0; j < q; j++) {
      const w = weight(i, j);
      if (w === 0) continue;
      observedDisagreement += (w * (joint[i * q + j] as number)) / n;
      expectedDisagreement += (w * (rowTotals[i] as number) * (columnTotals[j] as number)) / (n * n);
    }
  }
  // ≥ 2 categories between the two coders means some chance pair (c from A, k from B) differs,
  // so expectedDisagreement > 0 here.
  return {
    kappa: 1 - observedDisagreement / expectedDisagreement,
    observed: 1 - observedDisagreement,
    expected: 1 - expectedDisagreement,
    units: n,
    weights,
    reason: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Fleiss' kappa

/**
 * Fleiss' kappa for many raters (J. L. Fleiss, "Measuring nominal scale agreement among many
 * raters", Psychological Bulletin 76, 1971): with N units, n ratings per unit and n_ij the
 * number of ratings of unit i in category j, P_i = (Σ_j n_ij² − n)/(n(n − 1)), P̄ = mean of P_i,
 * p_j = Σ_i n_ij/(N n), P̄_e = Σ_j p_j² and κ = (P̄ − P̄_e)/(1 − P̄_e). Nominal categories; who
 * the raters are does not matter, only how many rated each unit (different reviewers may grade
 * different items).
 *
 * Units with fewer than two ratings carry no agreement information and are skipped, as in every
 * function here. The remaining units must all have the same number of ratings; otherwise this
 * refuses (kappa null, reason "unequal-raters") rather than silently dropping units. Use
 * `krippendorffAlpha`, which handles any number of ratings per unit, for such data. Other nulls:
 * "no-pairable-units" (no unit has two ratings), "no-variation" (one category throughout, P̄_e = 1).
 */
export function fleissKappa<T extends RatingValue>(ratings: Ratings<T>): FleissKappaResult {
  const { units } = collect(ratings, "fleissKappa");
  const used = [...units.values()].filter((byCoder) => byCoder.size >= 2);
  const none = { kappa: null, observed: null, expected: null } as const;
  if (used.length === 0) return { ...none, units: 0, raters: null, reason: "no-pairable-units" };
  const n = (used[0] as Map<string, T>).size;
  if (used.some((byCoder) => byCoder.size !== n)) return { ...none, units: used.length, raters: null, reason: "unequal-raters" };

  const N = used.length;
  const categoryTotals = new Map<T, number>();
  let sumP = 0;
  for (const byCoder of used) {
    let squares = 0;
    for (const [category, count] of countValues(byCoder.values())) {
      squares += count * count;
      categoryTotals.set(category, (categoryTotals.get(category) ?? 0) + count);
    }
    sumP += (squares - n) / (n * (n - 1));
  }
  const observed = sumP / N;
  if (categoryTotals.size < 2) return { kappa: null, observed, expected: 1, units: N, raters: n, reason: "no-variation" };
  let expected = 0;
  for (const total of categoryTotals.values()) {
    const p = total / (N * n);
    expected += p * p;
  }
  return { kappa: (observed - expected) / (1 - expected), observed, expected, units: N, raters: n, reason: null };
}

// ---------------------------------------------------------------------------------------------
// Krippendorff's alpha

/**
 * Krippendorff's alpha (K. Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011,
 * Annenberg School for Communication, University of Pennsylvania; also Content Analysis, 3rd ed.,
 * 2013, ch. 12), by the coincidence-matrix method, for any number of coders and missing values:
 * 1. Only units with m_u ≥ 2 values are pairable. Each contributes, for every ordered pair of
 *    its values from different coders, 1/(m_u − 1) to the coincidence o_ck of their values c, k
 *    (so each pairable value adds exactly 1 to the matrix). n_c = Σ_k o_ck, n = Σ_c n_c.
 * 2. α = 1 − D_o/D_e with D_o = (1/n) Σ_c Σ_k o_ck δ²_ck and
 *    D_e = 1/(n(n − 1)) Σ_c Σ_k n_c n_k δ²_ck, where the difference function δ² is
 *    - nominal: 0 if c = k, else 1 (values of any type, compared for identity);
 *    - ordinal: (Σ_{g=c..k} n_g − (n_c + n_k)/2)², over the categories g in rank order from c
 *      to k, so distances come from the marginal frequencies, not the labels (numbers ascending,
 *      false < true, strings only with `order`);
 *    - interval: (c − k)² (numbers only);
 *    - ratio: ((c − k)/(c + k))², taken as 0 when c = k = 0 (non-negative numbers only).
 *
 * Null: "no-pairable-units" when n = 0 (D_o and D_e null too); "no-variation" when all pairable
 * values are one category (D_o = D_e = 0, reported as 0). Every δ² between distinct categories
 * is positive, so with two or more categories D_e > 0 and alpha is a number (possibly negative:
 * systematic disagreement).
 */
export function krippendorffAlpha<T extends RatingValue>(ratings: Ratings<T>, level: MeasurementLevel, options: OrderOptions<T> = {}): KrippendorffAlphaResult {
  const where = "krippendorffAlpha";
  assertLevel(level, options.order, where);
  const { units } = collect(ratings, where);
  return alphaOfUnits(
    [...units.values()].map((byCoder) => [...byCoder.values()]),
    level,
    options.order,
    where,
  );
}

function alphaOfUnits<T extends RatingValue>(
  unitValues: readonly (readonly T[])[],
  level: MeasurementLevel,
  order: readonly T[] | undefined,
  where: string,
): KrippendorffAlphaResult {
  const pairableUnits = unitValues.filter((values) => values.length >= 2);
  const values = pairableUnits.flat();
  const n = values.length;
  if (n === 0) {
    return { alpha: null, level, units: 0, pairable: 0, observedDisagreement: null, expectedDisagreement: null, reason: "no-pairable-units" };
  }
  // Categories in ascending position for the ordered levels; nominal keeps first-seen order.
  let categories = distinct(values);
  let position: ((v: T) => number) | null = null;
  if (level === "ordinal") position = positionFunction(values, order, where);
  if (level === "interval" || level === "ratio") position = numericValues(values, level, where);
  if (position !== null) {
    const at = position;
    categories = categories.sort((c, k) => at(c) - at(k));
  }
  if (categories.length < 2) {
    return { alpha: null, level, units: pairableUnits.length, pairable: n, observedDisagreement: 0, expectedDisagreement: 0, reason: "no-variation" };
  }

  // Coincidence matrix: for a unit with m values of which u_c are c, o_ck += u_c·(u_k − [c = k])/(m − 1).
  const index = new Map(categories.map((c, i) => [c, i] as const));
  const q = categories.length;
  const coincidences = new Float64Array(q * q);
  for (const unit of pairableUnits) {
    const counts = [...countValues(unit)].map(([c, count]) => [index.get(c) as number, count] as const);
    for (const [i, ci] of counts) {
      for (const [j, cj] of counts) {
        coincidences[i * q + j] = (coincidences[i * q + j] as number) + (ci * (i === j ? cj - 1 : cj)) / (unit.length - 1);
      }
    }
  }
  const marginals = new Float64Array(q);
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) marginals[i] = (marginals[i] as number) + (coincidences[i * q + j] as number);

  const delta2 = differenceFunction(level, categories, position, marginals);
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < q; i++) {
    for (let j = 0; j < q; j++) {
      if (i === j) continue; // δ²_cc = 0 at every level
      const d = delta2(i, j);
      observed += (coincidences[i * q + j] as number) * d;
      expected += (marginals[i] as number) * (marginals[j] as number) * d;
    }
  }
  const observedDisagreement = observed / n;
  const expectedDisagreement = expected / (n * (n - 1));
  return {
    alpha: 1 - observedDisagreement / expectedDisagreement,
    level,
    units: pairableUnits.length,
    pairable: n,
    observedDisagreement,
    expectedDisagreement,
    reason: null,
  };
}

/** δ²(i, j) for category indices i ≠ j (categories sorted by position for ordered levels). */
function differenceFunction<T extends RatingValue>(
  level: MeasurementLevel,
  categories: readonly T[],
  position: ((v: T) => number) | null,
  marginals: Float64Array,
): (i: number, j: number) => number {
  switch (level) {
    case "nominal":
      return () => 1;
    case "ordinal": {
      // cumulative[g] = n_0 + … + n_{g−1}, so Σ_{g=i..j} n_g = cumulative[j + 1] − cumulative[i].
      const cumulative = new Float64Array(marginals.length + 1);
      for (let g = 0; g < marginals.length; g++) cumulative[g + 1] = (cumulative[g] as number) + (marginals[g] as number);
      return (i, j) => {
        const lo = Math.min(i, j);
        const hi = Math.max(i, j);
        const d = (cumulative[hi + 1] as number) - (cumulative[lo] as number) - ((marginals[lo] as number) + (marginals[hi] as number)) / 2;
        return d * d;
      };
    }
    case "interval":
    case "ratio": {
      const x = categories.map(position as (v: T) => number);
      return (i, j) => {
        const c = x[i] as number;
        const k = x[j] as number;
        if (level === "interval") return (c - k) * (c - k);
        return c + k === 0 ? 0 : ((c - k) / (c + k)) ** 2;
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pairwise table

/**
 * Agreement of every pair of coders who graded at least one unit in common, sorted by coder id
 * (a < b in code-unit order), to spot a reviewer who disagrees with the rest. For each pair,
 * on their shared units only: `percent` (identical values), Krippendorff's alpha at `level`,
 * and Cohen's kappa weighted to suit the level: unweighted for nominal, linear weights for
 * ordinal, quadratic weights for interval and ratio (there is no ratio-weighted kappa; quadratic
 * weights treat the ratio scale as interval). Pairs with no shared unit are left out. kappa and
 * alpha are null together, with reason "no-variation", when all shared values are one category.
 */
export function pairwiseAgreement<T extends RatingValue>(ratings: Ratings<T>, level: MeasurementLevel, options: OrderOptions<T> = {}): PairAgreement[] {
  const where = "pairwiseAgreement";
  assertLevel(level, options.order, where);
  const { units, coders } = collect(ratings, where);
  const weights: KappaWeights | null = level === "nominal" ? null : level === "ordinal" ? "linear" : "quadratic";
  const sorted = [...coders].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const result: PairAgreement[] = [];
  for (let ia = 0; ia < sorted.length; ia++) {
    for (let ib = ia + 1; ib < sorted.length; ib++) {
      const a = sorted[ia] as string;
      const b = sorted[ib] as string;
      const pairs: [T, T][] = [];
      for (const byCoder of units.values()) {
        const va = byCoder.get(a);
        const vb = byCoder.get(b);
        if (va !== undefined && vb !== undefined) pairs.push([va, vb]);
      }
      if (pairs.length === 0) continue;
      const same = pairs.filter(([va, vb]) => va === vb).length;
      // alpha first: its checks give the level-specific message (e.g. "interval needs numbers").
      const alpha = alphaOfUnits(pairs, level, options.order, where);
      const kappa = kappaOfPairs(pairs, weights, options.order, where);
      result.push({
        a,
        b,
        units: pairs.length,
        percent: same / pairs.length,
        kappa: kappa.kappa,
        alpha: alpha.alpha,
        reason: kappa.reason === null ? null : "no-variation",
      });
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Helpers and input checks

/** Ratings grouped by unit then coder (first-seen order), missing values dropped, input checked. */
function collect<T extends RatingValue>(ratings: Ratings<T>, where: string): { units: Map<string, Map<string, T>>; coders: Set<string> } {
  const units = new Map<string, Map<string, T>>();
  const coders = new Set<string>();
  let kind: string | null = null;
  for (const { unit, coder, value } of ratings) {
    if (value === null || value === undefined) continue;
    const type = typeof value;
    if (type !== "number" && type !== "string" && type !== "boolean") {
      throw new RangeError(`${where}: values must be numbers, strings or booleans, got ${type} (unit "${unit}", coder "${coder}")`);
    }
    if (type === "number" && !Number.isFinite(value)) {
      throw new RangeError(`${where}: values must be finite numbers, got ${String(value)} (unit "${unit}", coder "${coder}")`);
    }
    if (kind === null) kind = type;
    else if (kind !== type) throw new RangeError(`${where}: values mix types (${kind} and ${type}); one data set holds one kind of value`);
    let byCoder = units.get(unit);
    if (byCoder === undefined) {
      byCoder = new Map();
      units.set(unit, byCoder);
    }
    if (byCoder.has(coder)) throw new RangeError(`${where}: coder "${coder}" rated unit "${unit}" more than once`);
    byCoder.set(coder, value);
    coders.add(coder);
  }
  return { units, coders };
}

function countValues<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/**
 * Position of a value on an ordered scale: its index in `order` when given, else the number
 * itself, 0/1 for false/true; strings need `order`. Checks every value up front.
 */
function positionFunction<T extends RatingValue>(values: readonly T[], order: readonly T[] | undefined, where: string): (v: T) => number {
  if (order !== undefined) {
    const index = new Map<T, number>();
    order.forEach((c, i) => {
      if (index.has(c)) throw new RangeError(`${where}: order lists ${JSON.stringify(c)} twice`);
      index.set(c, i);
    });
    for (const v of values) if (!index.has(v)) throw new RangeError(`${where}: value ${JSON.stringify(v)} is not in order`);
    return (v) => index.get(v) as number;
  }
  for (const v of values) {
    if (typeof v === "string") throw new RangeError(`${where}: ordered comparison of text labels needs options.order (got ${JSON.stringify(v)})`);
  }
  return (v) => (typeof v === "boolean" ? (v ? 1 : 0) : (v as number));
}

function numericValues<T extends RatingValue>(values: readonly T[], level: "interval" | "ratio", where: string): (v: T) => number {
  for (const v of values) {
    if (typeof v !== "number") throw new RangeError(`${where}: the ${level} level needs numeric values, got ${JSON.stringify(v)}`);
    if (level === "ratio" && v < 0) throw new RangeError(`${where}: the ratio level needs non-negative values, got ${v}`);
  }
  return (v) => v as number;
}

function assertLevel(level: MeasurementLevel, order: readonly unknown[] | undefined, where: string): void {
  if (level !== "nominal" && level !== "ordinal" && level !== "interval" && level !== "ratio") {
    throw new RangeError(`${where}: level must be nominal, ordinal, interval or ratio, got ${String(level)}`);
  }
  if (order !== undefined && level !== "ordinal") {
    throw new RangeError(`${where}: options.order applies to the ordinal level only (got level ${level})`);
  }
}
