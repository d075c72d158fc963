// Agreement statistics against published worked examples (each fixture names its source) and
// hand computations. The Krippendorff and Fleiss figures were also recomputed independently
// (plain Python, summing δ² over all pairs of values instead of building a coincidence matrix);
// that script is not needed to run these tests.
import { describe, expect, it } from "vitest";
import { cohensKappa, fleissKappa, krippendorffAlpha, pairwiseAgreement, percentAgreement, type Rating, type RatingValue } from "./agreement";

/** Reliability data from a coders × units matrix (null = missing), units named u1, u2, …. */
function fromMatrix<T extends RatingValue>(coders: readonly string[], rows: readonly (readonly (T | null)[])[]): Rating<T>[] {
  return rows.flatMap((row, c) => row.map((value, u) => ({ unit: `u${u + 1}`, coder: coders[c] as string, value })));
}

/** Two coders' grades from a contingency table: `count` units coded (a, b). */
function fromTable<T extends RatingValue>(cells: readonly { a: T; b: T; count: number }[]): Rating<T>[] {
  const ratings: Rating<T>[] = [];
  let unit = 0;
  for (const { a, b, count } of cells) {
    for (let i = 0; i < count; i++) {
      unit++;
      ratings.push({ unit: `u${unit}`, coder: "A", value: a }, { unit: `u${unit}`, coder: "B", value: b });
    }
  }
  return ratings;
}

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: 4 observers ×
// 12 units, interval-ish values 1–5, with missing values. Unit 12 has one value and is not
// pairable, so n = 40 pairable values in 11 units. The paper's coincidence matrix (checked by
// hand: each unit with m values adds u_c·(u_k − [c = k])/(m − 1)):
//          1     2     3     4    5  | n_c
//   1      7    4/3   1/3   1/3   0  |  9
//   2     4/3   10    4/3   1/3   0  | 13
//   3     1/3   4/3    8    1/3   0  | 10
//   4     1/3   1/3   1/3    4    0  |  5
//   5      0     0     0     0    3  |  3
const N = null;
const EXAMPLE_C = fromMatrix(
  ["A", "B", "C", "D"],
  [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
  ],
);

describe("krippendorffAlpha on Krippendorff's (2011) example C (4 coders, 12 units, missing values)", () => {
  it("nominal: α = 0.743", () => {
    // α = 1 − (n − 1)(n − Σ o_cc)/(n² − Σ n_c²) = 1 − 39·(40 − 32)/(1600 − 384) = 1 − 312/1216 = 113/152.
    // D_o = 8/40 = 0.2, D_e = 1216/1560 = 0.779487.
    const r = krippendorffAlpha(EXAMPLE_C, "nominal");
    expect(r.alpha).toBeCloseTo(0.743, 3);
    expect(r.alpha).toBeCloseTo(113 / 152, 12);
    expect(r.observedDisagreement).toBeCloseTo(0.2, 12);
    expect(r.expectedDisagreement).toBeCloseTo(1216 / 1560, 12);
    expect(r).toMatchObject({ level: "nominal", units: 11, pairable: 40, reason: null });
  });

  it("ordinal: α = 0.815, distances from the marginal frequencies", () => {
    // With n_g = 9, 13, 10, 5, 3: δ²(1,2) = (9 + 13 − 11)² = 121, δ²(1,3) = 22.5², δ²(1,4) = 30²,
    // δ²(1,5) = 34², δ²(2,3) = 11.5², δ²(2,4) = 19², δ²(2,5) = 23², δ²(3,4) = 7.5², δ²(3,5) = 11.5²,
    // δ²(4,5) = 4². Σ o·δ² = 1891 and Σ n_c·n_k·δ² = 399480 (both ordered pairs), so
    // D_o = 1891/40 = 47.275, D_e = 399480/1560 = 256.077 and α = 1 − 39·1891/399480 = 0.81539.
    const r = krippendorffAlpha(EXAMPLE_C, "ordinal");
    expect(r.alpha).toBeCloseTo(0.815, 3);
    expect(r.alpha).toBeCloseTo(1 - (39 * 1891) / 399480, 12);
    expect(r.observedDisagreement).toBeCloseTo(47.275, 10);
    expect(r.expectedDisagreement).toBeCloseTo(399480 / 1560, 10);
  });

  it("interval: α = 0.849", () => {
    // D_o = 13/30, D_e = 112/39 (δ² = (c − k)²), α = 1 − (13/30)(39/112) = 1 − 507/3360 = 0.84911.
    const r = krippendorffAlpha(EXAMPLE_C, "interval");
    expect(r.alpha).toBeCloseTo(0.849, 3);
    expect(r.alpha).toBeCloseTo(1 - 507 / 3360, 12);
    expect(r.observedDisagreement).toBeCloseTo(13 / 30, 12);
    expect(r.expectedDisagreement).toBeCloseTo(112 / 39, 12);
  });

  it("ratio: α = 0.797", () => {
    // Independent pairwise computation: D_o = 0.0224327, D_e = 0.1107257, α = 0.797403.
    const r = krippendorffAlpha(EXAMPLE_C, "ratio");
    expect(r.alpha).toBeCloseTo(0.797, 3);
    expect(r.alpha).toBeCloseTo(0.797403, 6);
    expect(r.observedDisagreement).toBeCloseTo(0.0224327, 7);
    expect(r.expectedDisagreement).toBeCloseTo(0.1107257, 7);
  });

  it("does not depend on the order of the ratings, and treats null and absent values alike", () => {
    const reversed = [...EXAMPLE_C].reverse();
    const withoutNulls = EXAMPLE_C.filter((r) => r.value !== null);
    for (const level of ["nominal", "ordinal", "interval", "ratio"] as const) {
      const alpha = krippendorffAlpha(EXAMPLE_C, level).alpha as number;
      expect(krippendorffAlpha(reversed, level).alpha).toBeCloseTo(alpha, 12);
      expect(krippendorffAlpha(withoutNulls, level).alpha).toBeCloseTo(alpha, 12);
    }
  });

  it("gives the same nominal alpha for category labels as for numbers, and the same ordinal alpha given their order", () => {
    const labels = ["one", "two", "three", "four", "five"] as const;
    const relabelled = EXAMPLE_C.map((r) => ({ ...r, value: r.value === null ? null : labels[r.value - 1]! }));
    expect(krippendorffAlpha(relabelled, "nominal").alpha).toBeCloseTo(113 / 152, 12);
    expect(krippendorffAlpha(relabelled, "ordinal", { order: labels }).alpha).toBeCloseTo(1 - (39 * 1891) / 399480, 12);
    // Reversing the order leaves ordinal distances unchanged; a different order changes them.
    expect(krippendorffAlpha(relabelled, "ordinal", { order: [...labels].reverse() }).alpha).toBeCloseTo(1 - (39 * 1891) / 399480, 12);
    const shuffled = ["three", "one", "five", "two", "four"] as const;
    expect(krippendorffAlpha(relabelled, "ordinal", { order: shuffled }).alpha).not.toBeCloseTo(0.815, 3);
  });

  it("percent agreement on the same data: 43 of 55 pairs", () => {
    // Pairs per unit: 3 + 6·8 + 3 + 1 = 55; agreeing: u1 3, u2 3, u3–u5 6 each, u6 0, u7 6, u8 3,
    // u9 6, u10 3, u11 1 = 43.
    expect(percentAgreement(EXAMPLE_C)).toEqual({ value: 43 / 55, units: 11, pairs: 55, agreeing: 43, reason: null });
  });
});

describe("krippendorffAlpha on Krippendorff's (2011) binary example (2 coders, 10 units)", () => {
  // Example A of the paper: coincidences o_00 = 10, o_01 = o_10 = 4, o_11 = 2; n_0 = 14, n_1 = 6,
  // n = 20, so α = 1 − (n − 1)·o_01/(n_0·n_1) = 1 − 19·4/84 = 2/21 = 0.095.
  const coderA = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
  const coderB = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];

  it("α = 0.095 with numbers, booleans and labels alike", () => {
    const numbers = fromMatrix(["A", "B"], [coderA, coderB]);
    const booleans = fromMatrix(["A", "B"], [coderA.map((v) => v === 1), coderB.map((v) => v === 1)]);
    const labels = fromMatrix(["A", "B"], [coderA.map((v) => (v ? "yes" : "no")), coderB.map((v) => (v ? "yes" : "no"))]);
    for (const ratings of [numbers, booleans, labels] as Rating[][]) {
      const r = krippendorffAlpha(ratings, "nominal");
      expect(r.alpha).toBeCloseTo(0.095, 3);
      expect(r.alpha).toBeCloseTo(2 / 21, 12);
      expect(r).toMatchObject({ units: 10, pairable: 20 });
    }
    // With two values every level's δ² is a constant for the one pair of categories, so the
    // ordinal and interval alphas equal the nominal one.
    expect(krippendorffAlpha(numbers, "ordinal").alpha).toBeCloseTo(2 / 21, 12);
    expect(krippendorffAlpha(numbers, "interval").alpha).toBeCloseTo(2 / 21, 12);
    expect(krippendorffAlpha(booleans, "ordinal").alpha).toBeCloseTo(2 / 21, 12);
  });

  it("is negative for systematic disagreement", () => {
    // o_12 = o_21 = 4, n_1 = n_2 = 4, n = 8: α = 1 − 7·4/16 = −0.75; Cohen's κ = (0 − 0.5)/0.5 = −1.
    const ratings = fromMatrix(
      ["A", "B"],
      [
        [1, 2, 1, 2],
        [2, 1, 2, 1],
      ],
    );
    expect(krippendorffAlpha(ratings, "nominal").alpha).toBeCloseTo(-0.75, 12);
    expect(cohensKappa(ratings, "A", "B").kappa).toBeCloseTo(-1, 12);
  });
});

// Fleiss (1971) via Wikipedia's "Fleiss' kappa" worked example: 10 subjects, 14 raters,
// 5 categories, n_ij per subject. P̄ = 0.378, P̄_e = 0.213, κ = 0.210.
const FLEISS_COUNTS = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];

function fromCounts(counts: readonly (readonly number[])[]): Rating<number>[] {
  return counts.flatMap((row, subject) => {
    const values = row.flatMap((count, category) => Array.from({ length: count }, () => category + 1));
    return values.map((value, rater) => ({ unit: `s${subject + 1}`, coder: `r${rater + 1}`, value }));
  });
}

describe("fleissKappa", () => {
  it("reproduces the Fleiss (1971) example as on Wikipedia: κ = 0.210", () => {
    const r = fleissKappa(fromCounts(FLEISS_COUNTS));
    expect(r.kappa).toBeCloseTo(0.21, 3);
    expect(r.observed).toBeCloseTo(0.378, 3);
    expect(r.expected).toBeCloseTo(0.213, 3);
    // p_j = 20, 28, 39, 21, 32 out of 140: P̄_e = (400 + 784 + 1521 + 441 + 1024)/19600 = 4170/19600.
    expect(r.expected).toBeCloseTo(4170 / 19600, 12);
    expect(r).toMatchObject({ units: 10, raters: 14, reason: null });
  });

  it("agrees with nominal alpha on complete data: α = 1 − (1 − κ)(n − 1)/n", () => {
    // With m ratings of every unit, D_o = 1 − P̄ and D_e = n/(n − 1)·(1 − P̄_e) (n = 140 values),
    // a link between two independently coded routines.
    const ratings = fromCounts(FLEISS_COUNTS);
    const kappa = fleissKappa(ratings).kappa as number;
    expect(krippendorffAlpha(ratings, "nominal").alpha).toBeCloseTo(1 - ((1 - kappa) * 139) / 140, 12);
  });

  it("skips units rated once and refuses units with different numbers of ratings", () => {
    const complete = fromMatrix(
      ["A", "B", "C"],
      [
        [1, 2, 1],
        [1, 2, 2],
        [1, 2, 2],
      ],
    );
    const base = fleissKappa(complete);
    expect(base.raters).toBe(3);
    expect(fleissKappa([...complete, { unit: "lonely", coder: "A", value: 1 }])).toEqual(base);
    const ragged = [...complete, { unit: "u4", coder: "A", value: 1 }, { unit: "u4", coder: "B", value: 2 }];
    expect(fleissKappa(ragged)).toEqual({ kappa: null, observed: null, expected: null, units: 4, raters: null, reason: "unequal-raters" });
    // Krippendorff's alpha takes the same data.
    expect(krippendorffAlpha(ragged, "nominal").alpha).not.toBeNull();
  });
});

describe("cohensKappa", () => {
  it("reproduces Wikipedia's 50-item example: κ = 0.4", () => {
    // p_o = (20 + 15)/50 = 0.7; A says yes 25 times, B 30 times: p_e = 0.5·0.6 + 0.5·0.4 = 0.5.
    const ratings = fromTable([
      { a: "yes", b: "yes", count: 20 },
      { a: "yes", b: "no", count: 5 },
      { a: "no", b: "yes", count: 10 },
      { a: "no", b: "no", count: 15 },
    ]);
    const r = cohensKappa(ratings, "A", "B");
    expect(r.kappa).toBeCloseTo(0.4, 12);
    expect(r).toMatchObject({ units: 50, weights: null, reason: null });
    expect(r.observed).toBeCloseTo(0.7, 12);
    expect(r.expected).toBeCloseTo(0.5, 12);
    // Swapping the coders transposes the table; κ is symmetric.
    expect(cohensKappa(ratings, "B", "A").kappa).toBeCloseTo(0.4, 12);
    // With two categories every weighting gives the same κ.
    const booleans = ratings.map((x) => ({ ...x, value: x.value === "yes" }));
    expect(cohensKappa(booleans, "A", "B", { weights: "linear" }).kappa).toBeCloseTo(0.4, 12);
    expect(cohensKappa(booleans, "A", "B", { weights: "quadratic" }).kappa).toBeCloseTo(0.4, 12);
  });

  it("is 1 for perfect agreement and 0 at chance level", () => {
    const perfect = fromMatrix(
      ["A", "B"],
      [
        [1, 2, 3, 1],
        [1, 2, 3, 1],
      ],
    );
    expect(cohensKappa(perfect, "A", "B")).toMatchObject({ kappa: 1, observed: 1, units: 4 });
    // p_o = 0.5 and both coders say yes half the time: p_e = 0.5, κ = 0.
    const chance = fromMatrix(
      ["A", "B"],
      [
        [true, true, false, false],
        [true, false, true, false],
      ],
    );
    expect(cohensKappa(chance, "A", "B").kappa).toBeCloseTo(0, 12);
  });

  it("uses only the units both coders graded", () => {
    const ratings = fromMatrix(
      ["A", "B"],
      [
        [1, 2, 1, 2, N, 1],
        [1, 2, 2, N, 2, 1],
      ],
    );
    // Shared: (1,1), (2,2), (1,2), (1,1): p_o = 3/4, A: 1 ×3, 2 ×1; B: 1 ×2, 2 ×2: p_e = 1/2, κ = 1/2.
    const r = cohensKappa(ratings, "A", "B");
    expect(r.units).toBe(4);
    expect(r.kappa).toBeCloseTo(0.5, 12);
  });

  describe("weighted (hand-computed 3 × 3 table)", () => {
    // Rows coder A, columns coder B, categories 1 < 2 < 3:
    //        1  2  3 | rows
    //   1    2  1  0 |  3
    //   2    0  2  1 |  3
    //   3    0  1  3 |  4
    //  cols  2  4  4 | 10
    // Unweighted: p_o = 0.7, p_e = (3·2 + 3·4 + 4·4)/100 = 0.34, κ = 0.36/0.66 = 6/11.
    // Chance table e = r_i·c_j/10: rows (0.6 1.2 1.2), (0.6 1.2 1.2), (0.8 1.6 1.6).
    // Linear (w = |i − j|): Σ w·o = 3, Σ w·e = 1.2 + 2·1.2 + 0.6 + 1.2 + 2·0.8 + 1.6 = 8.6,
    //   κ = 1 − 3/8.6 = 28/43 = 0.651.
    // Quadratic (w = (i − j)²): Σ w·o = 3, Σ w·e = 1.2 + 4·1.2 + 0.6 + 1.2 + 4·0.8 + 1.6 = 12.6,
    //   κ = 1 − 3/12.6 = 16/21 = 0.762.
    const table = fromTable([
      { a: 1, b: 1, count: 2 },
      { a: 1, b: 2, count: 1 },
      { a: 2, b: 2, count: 2 },
      { a: 2, b: 3, count: 1 },
      { a: 3, b: 2, count: 1 },
      { a: 3, b: 3, count: 3 },
    ]);

    it("unweighted, linear and quadratic", () => {
      expect(cohensKappa(table, "A", "B").kappa).toBeCloseTo(6 / 11, 12);
      const linear = cohensKappa(table, "A", "B", { weights: "linear" });
      expect(linear.kappa).toBeCloseTo(0.651, 3);
      expect(linear.kappa).toBeCloseTo(28 / 43, 12);
      // Weights scaled to [0, 1] by the span 2: p_o = 1 − 1.5/10, p_e = 1 − 4.3/10.
      expect(linear.observed).toBeCloseTo(0.85, 12);
      expect(linear.expected).toBeCloseTo(0.57, 12);
      const quadratic = cohensKappa(table, "A", "B", { weights: "quadratic" });
      expect(quadratic.kappa).toBeCloseTo(0.762, 3);
      expect(quadratic.kappa).toBeCloseTo(16 / 21, 12);
    });

    it("the same for ordered labels given their order", () => {
      const names = { 1: "poor", 2: "fair", 3: "good" } as const;
      const labelled = table.map((r) => ({ ...r, value: names[r.value as 1 | 2 | 3] }));
      const order = ["poor", "fair", "good"] as const;
      expect(cohensKappa(labelled, "A", "B", { weights: "linear", order }).kappa).toBeCloseTo(28 / 43, 12);
      expect(cohensKappa(labelled, "A", "B", { weights: "quadratic", order }).kappa).toBeCloseTo(16 / 21, 12);
      expect(() => cohensKappa(labelled, "A", "B", { weights: "linear" })).toThrow(/order/);
    });

    it("keeps the numeric spacing of a scale", () => {
      // Relabel 3 as 5 (a 1–5 scale where 3 and 4 went unused): the 2↔5 disagreements now count
      // 3 steps. Linear: Σ w·o = 1 + 3 + 3 = 7, Σ w·e = 1.2 + 4·1.2 + 0.6 + 3·1.2 + 4·0.8 + 3·1.6 = 18.2,
      // κ = 1 − 7/18.2 = 8/13.
      const stretched = table.map((r) => ({ ...r, value: r.value === 3 ? 5 : r.value }));
      expect(cohensKappa(stretched, "A", "B", { weights: "linear" }).kappa).toBeCloseTo(8 / 13, 12);
      expect(cohensKappa(stretched, "A", "B").kappa).toBeCloseTo(6 / 11, 12);
    });
  });
});

describe("pairwiseAgreement", () => {
  // ann and bob agree everywhere; cat disagrees; dan graded u5 only; eve graded only u6, which
  // nobody else graded, so she appears in no pair.
  const ratings = fromMatrix(
    ["ann", "bob", "cat", "dan", "eve"],
    [
      [1, 2, 3, 1, 2, N],
      [1, 2, 3, 1, 2, N],
      [3, 2, 1, 1, 3, N],
      [N, N, N, N, 2, N],
      [N, N, N, N, N, 1],
    ],
  );

  it("lists every pair sharing a unit, sorted, with percent, kappa and alpha", () => {
    const nominal = pairwiseAgreement(ratings, "nominal");
    expect(nominal.map((p) => `${p.a}-${p.b}`)).toEqual(["ann-bob", "ann-cat", "ann-dan", "bob-cat", "bob-dan", "cat-dan"]);
    expect(nominal[0]).toEqual({ a: "ann", b: "bob", units: 5, percent: 1, kappa: 1, alpha: 1, reason: null });
    // ann–cat: pairs (1,3) (2,2) (3,1) (1,1) (2,3): p_o = 0.4; ann 1,2,3 ×2,2,1; cat ×2,1,2:
    // p_e = (4 + 2 + 2)/25 = 0.32, κ = 0.08/0.68 = 2/17.
    const annCat = nominal[1];
    expect(annCat).toMatchObject({ units: 5, percent: 0.4 });
    expect(annCat?.kappa).toBeCloseTo(2 / 17, 12);
    expect(annCat?.alpha).toBeCloseTo(
      krippendorffAlpha(
        ratings.filter((r) => r.coder === "ann" || r.coder === "cat"),
        "nominal",
      ).alpha as number,
      12,
    );
    // ann–dan share u5 with the same grade: nothing to measure beyond agreement.
    expect(nominal[2]).toEqual({ a: "ann", b: "dan", units: 1, percent: 1, kappa: null, alpha: null, reason: "no-variation" });
    // cat–dan: one unit, (3, 2): p_o = p_e = 0, κ = 0; α = 1 − 1·2/(4 − 2) = 0.
    expect(nominal[5]).toMatchObject({ units: 1, percent: 0, kappa: 0, alpha: 0, reason: null });
  });

  it("weights kappa by level: linear for ordinal, quadratic for interval", () => {
    // ann–cat linear, w = |i − j|/2: Σ w·p = (1 + 1 + 0.5)/5 = 0.5; chance: rows (2,2,1), cols
    // (2,1,2): Σ w·r·c/25 = (0.5·2 + 1·4 + 0.5·4 + 0.5·4 + 1·2 + 0.5·1)/25 = 11.5/25 = 0.46,
    // κ = 1 − 0.5/0.46 = −2/23: cat reverses ann's order.
    const ordinal = pairwiseAgreement(ratings, "ordinal");
    expect(ordinal[1]?.kappa).toBeCloseTo(-2 / 23, 12);
    const interval = pairwiseAgreement(ratings, "interval");
    expect(interval[1]?.kappa).toBeCloseTo(cohensKappa(ratings, "ann", "cat", { weights: "quadratic" }).kappa as number, 12);
    expect(interval[1]?.alpha).toBeCloseTo(
      krippendorffAlpha(
        ratings.filter((r) => r.coder === "ann" || r.coder === "cat"),
        "interval",
      ).alpha as number,
      12,
    );
  });

  it("is empty for a single coder", () => {
    expect(pairwiseAgreement(fromMatrix(["A"], [[1, 2, 3]]), "nominal")).toEqual([]);
  });
});

describe("too little data: null with a reason, never NaN", () => {
  it("no ratings at all", () => {
    expect(percentAgreement([])).toEqual({ value: null, units: 0, pairs: 0, agreeing: 0, reason: "no-pairable-units" });
    expect(krippendorffAlpha([], "interval")).toEqual({
      alpha: null,
      level: "interval",
      units: 0,
      pairable: 0,
      observedDisagreement: null,
      expectedDisagreement: null,
      reason: "no-pairable-units",
    });
    expect(fleissKappa([])).toMatchObject({ kappa: null, units: 0, raters: null, reason: "no-pairable-units" });
    expect(cohensKappa([], "A", "B")).toEqual({ kappa: null, observed: null, expected: null, units: 0, weights: null, reason: "no-pairable-units" });
  });

  it("a single coder", () => {
    const single = fromMatrix(["A"], [[1, 2, 3, 4]]);
    expect(krippendorffAlpha(single, "nominal")).toMatchObject({ alpha: null, units: 0, pairable: 0, reason: "no-pairable-units" });
    expect(percentAgreement(single).value).toBeNull();
    expect(fleissKappa(single).reason).toBe("no-pairable-units");
    expect(cohensKappa(single, "A", "B")).toMatchObject({ kappa: null, units: 0, reason: "no-pairable-units" });
  });

  it("coders who never graded the same unit", () => {
    const disjoint = fromMatrix(
      ["A", "B"],
      [
        [1, 2, N, N],
        [N, N, 1, 2],
      ],
    );
    expect(krippendorffAlpha(disjoint, "nominal").reason).toBe("no-pairable-units");
    expect(cohensKappa(disjoint, "A", "B").reason).toBe("no-pairable-units");
    expect(pairwiseAgreement(disjoint, "nominal")).toEqual([]);
  });

  it("all values identical: perfect observed agreement, coefficients undefined", () => {
    const same = fromMatrix(
      ["A", "B", "C"],
      [
        [4, 4, 4],
        [4, 4, N],
        [4, 4, 4],
      ],
    );
    for (const level of ["nominal", "ordinal", "interval", "ratio"] as const) {
      expect(krippendorffAlpha(same, level)).toEqual({
        alpha: null,
        level,
        units: 3,
        pairable: 8,
        observedDisagreement: 0,
        expectedDisagreement: 0,
        reason: "no-variation",
      });
    }
    expect(percentAgreement(same)).toMatchObject({ value: 1, units: 3, pairs: 7 });
    expect(cohensKappa(same, "A", "B")).toEqual({ kappa: null, observed: 1, expected: 1, units: 2, weights: null, reason: "no-variation" });
    expect(cohensKappa(same, "A", "B", { weights: "quadratic" }).reason).toBe("no-variation");
    const complete = fromMatrix(
      ["A", "C"],
      [
        [4, 4, 4],
        [4, 4, 4],
      ],
    );
    expect(fleissKappa(complete)).toMatchObject({ kappa: null, observed: 1, expected: 1, units: 3, raters: 2, reason: "no-variation" });
  });
});

describe("input that cannot be right throws a RangeError", () => {
  const ok = fromMatrix(
    ["A", "B"],
    [
      [1, 2],
      [1, 3],
    ],
  );

  it("duplicate grades, non-finite numbers, mixed value types", () => {
    expect(() => krippendorffAlpha([...ok, { unit: "u1", coder: "A", value: 2 }], "nominal")).toThrow(/more than once/);
    expect(() => percentAgreement([...ok, { unit: "u3", coder: "A", value: Number.NaN }])).toThrow(RangeError);
    expect(() => fleissKappa([...ok, { unit: "u3", coder: "A", value: Number.POSITIVE_INFINITY }])).toThrow(/finite/);
    const mixed: Rating[] = [...ok, { unit: "u3", coder: "A", value: "1" }];
    expect(() => krippendorffAlpha(mixed, "nominal")).toThrow(/mix types/);
    // A null value is missing, not a second grade.
    expect(krippendorffAlpha([...ok, { unit: "u1", coder: "A", value: null }], "nominal")).toEqual(krippendorffAlpha(ok, "nominal"));
  });

  it("values that do not fit the level", () => {
    const labels = fromMatrix(
      ["A", "B"],
      [
        ["good", "poor"],
        ["good", "fair"],
      ],
    );
    expect(() => krippendorffAlpha(labels, "interval")).toThrow(/numeric/);
    expect(() => pairwiseAgreement(labels, "interval")).toThrow(/numeric/);
    expect(() => krippendorffAlpha(labels, "ordinal")).toThrow(/order/);
    expect(() => krippendorffAlpha(labels, "ordinal", { order: ["poor", "good"] })).toThrow(/"fair" is not in order/);
    expect(() => krippendorffAlpha(labels, "ordinal", { order: ["poor", "fair", "poor", "good"] })).toThrow(/twice/);
    expect(() => krippendorffAlpha(labels, "nominal", { order: ["poor", "fair", "good"] })).toThrow(/ordinal level only/);
    expect(() =>
      krippendorffAlpha(
        fromMatrix(
          ["A", "B"],
          [
            [1, -2],
            [1, 2],
          ],
        ),
        "ratio",
      ),
    ).toThrow(/non-negative/);
    expect(() => krippendorffAlpha(ok, "cardinal" as "nominal")).toThrow(/level must be/);
  });

  it("Cohen's kappa of a coder with themself, or an order without weights", () => {
    expect(() => cohensKappa(ok, "A", "A")).toThrow(/two different coders/);
    expect(() => cohensKappa(ok, "A", "B", { order: [1, 2, 3] })).toThrow(/weighted kappa only/);
  });
});
