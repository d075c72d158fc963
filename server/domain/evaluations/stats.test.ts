// Evaluation statistics against published tables and hand computations (each fixture names its
// source). Cross-checked once against SciPy 1.17 / NumPy 2.4, which are not needed to run these.
import { describe, expect, it } from "vitest";
import {
  chiSquare1Survival,
  compareScores,
  differenceDirection,
  erfc,
  mcnemar,
  mean,
  meanConfidenceInterval,
  normalQuantile,
  pairedBootstrapMeanDifference,
  percentile,
  sampleStdDev,
  studentTQuantile,
  verdict,
  wilsonInterval,
} from "./stats";

/** A seeded generator independent of the module's own, so fixtures don't share its stream. */
function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0; // Numerical Recipes' LCG constants
    return state / 4294967296;
  };
}

function pairs(counts: { tt: number; tf: number; ft: number; ff: number }) {
  return [
    ...Array.from({ length: counts.tt }, () => ({ a: true, b: true })),
    ...Array.from({ length: counts.tf }, () => ({ a: true, b: false })),
    ...Array.from({ length: counts.ft }, () => ({ a: false, b: true })),
    ...Array.from({ length: counts.ff }, () => ({ a: false, b: false })),
  ];
}

describe("mean and sampleStdDev", () => {
  it("match the textbook example", () => {
    // Wikipedia "Standard deviation", basic example: 2, 4, 4, 4, 5, 5, 7, 9 has mean 5 and
    // Σ(x − 5)² = 32, so the sample standard deviation is √(32/7) = 2.13809.
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    expect(sampleStdDev(xs)).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(sampleStdDev(xs)).toBeCloseTo(2.13809, 5);
  });

  it("refuses samples they cannot summarise rather than returning NaN", () => {
    expect(() => mean([])).toThrow(RangeError);
    expect(() => sampleStdDev([0.5])).toThrow(/at least 2 values/);
    expect(() => mean([0.5, Number.NaN])).toThrow(/finite/);
  });
});

describe("percentile", () => {
  it("interpolates linearly between closest ranks like NumPy's default", () => {
    // Sorted: 1, 1, 2, 3, 4, 5, 6, 9 (n = 8), h = 7p/100:
    // p=10 → h=0.7: 1 + 0.7·(1 − 1) = 1; p=25 → h=1.75: 1 + 0.75·(2 − 1) = 1.75;
    // p=50 → h=3.5: 3 + 0.5·(4 − 3) = 3.5; p=90 → h=6.3: 6 + 0.3·(9 − 6) = 6.9.
    // np.percentile([3, 1, 4, 1, 5, 9, 2, 6], [0, 10, 25, 50, 90, 100]) → [1, 1, 1.75, 3.5, 6.9, 9]
    const xs = [3, 1, 4, 1, 5, 9, 2, 6];
    expect([0, 10, 25, 50, 90, 100].map((p) => percentile(xs, p))).toEqual([1, 1, 1.75, 3.5, expect.closeTo(6.9, 12), 9]);
    // Wikipedia "Percentile", second variant (C = 1): the 40th percentile of 15, 20, 35, 40, 50
    // is 29 (h = 1.6: 20 + 0.6·(35 − 20)).
    expect(percentile([15, 20, 35, 40, 50], 40)).toBeCloseTo(29, 12);
    // np.percentile([0.2, 0.9, 0.4], [33.3, 95]) → [0.3332, 0.85]
    expect(percentile([0.2, 0.9, 0.4], 33.3)).toBeCloseTo(0.3332, 12);
    expect(percentile([0.2, 0.9, 0.4], 95)).toBeCloseTo(0.85, 12);
  });

  it("does not reorder the caller's array and rejects p outside [0, 100]", () => {
    const xs = [3, 1, 2];
    expect(percentile(xs, 50)).toBe(2);
    expect(xs).toEqual([3, 1, 2]);
    expect(() => percentile(xs, 101)).toThrow(RangeError);
    expect(() => percentile(xs, Number.NaN)).toThrow(RangeError);
  });
});

describe("studentTQuantile and normalQuantile", () => {
  it("match a t table (two-sided 95%, t at 0.975)", () => {
    // NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.2 (upper critical values of t).
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [5, 2.571],
      [10, 2.228],
      [30, 2.042],
      [100, 1.984],
      [Infinity, 1.96],
    ];
    for (const [df, t] of table) {
      expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
      expect(studentTQuantile(0.025, df)).toBeCloseTo(-t, 3);
    }
    // Same table, other columns: one-sided 95% with 5 df, 99.5% with 10 df.
    expect(studentTQuantile(0.95, 5)).toBeCloseTo(2.015, 3);
    expect(studentTQuantile(0.995, 10)).toBeCloseTo(3.169, 3);
  });

  it("agrees with the closed forms for 1 and 2 degrees of freedom across the range", () => {
    // df = 1 is the Cauchy distribution: t = tan(π(p − ½)) = −1/tan(πp) (the second form keeps
    // its precision for tiny p). df = 2: F(t) = ½ + t/(2√(2 + t²)), so t = (2p − 1)/√(2p(1 − p)).
    const relativeError = (x: number, exact: number) => Math.abs(x - exact) / Math.max(1, Math.abs(exact));
    for (const p of [1e-9, 1e-4, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.9999]) {
      expect(relativeError(studentTQuantile(p, 1), -1 / Math.tan(Math.PI * p))).toBeLessThan(1e-9);
      expect(relativeError(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)))).toBeLessThan(1e-9);
    }
  });

  it("approaches the normal quantile as the degrees of freedom grow", () => {
    const z = normalQuantile(0.975);
    const ts = [1, 3, 10, 100, 1000, 1e5].map((df) => studentTQuantile(0.975, df));
    for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeLessThan(ts[i - 1] as number);
    expect(ts.at(-1)).toBeCloseTo(z, 4);
  });

  it("normalQuantile matches published values", () => {
    // A&S Table 26.5 / any z table: z(0.975) = 1.959964, z(0.995) = 2.575829; Φ(1) = 0.8413447461.
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.8413447460685429)).toBeCloseTo(1, 9);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 6);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  it("erfc and the chi-square(1) survival match tables", () => {
    // A&S Table 7.1: erfc(0.5) = 0.4795001222, erfc(1) = 0.1572992071, erfc(2) = 0.0046777350.
    expect(erfc(0)).toBe(1);
    expect(erfc(0.5)).toBeCloseTo(0.4795001222, 10);
    expect(erfc(1)).toBeCloseTo(0.1572992071, 10);
    expect(erfc(2)).toBeCloseTo(0.004677735, 10);
    expect(erfc(-1)).toBeCloseTo(2 - 0.1572992071, 10);
    // χ² table, 1 df: critical values 3.841459 (α = 0.05), 6.634897 (0.01), 10.828 (≈ 0.001).
    expect(chiSquare1Survival(3.841459)).toBeCloseTo(0.05, 6);
    expect(chiSquare1Survival(6.634897)).toBeCloseTo(0.01, 6);
    expect(chiSquare1Survival(10.828)).toBeCloseTo(0.001, 6);
    expect(chiSquare1Survival(0)).toBe(1);
  });
});

describe("meanConfidenceInterval", () => {
  it("matches a hand computation", () => {
    // 1, 2, 3, 4, 5: mean 3, s = √(10/4) = 1.581139, s/√5 = 0.707107, t(0.975, 4) = 2.776445
    // (table: 2.776), half-width 2.776445 × 0.707107 = 1.963243 → [1.036757, 4.963243].
    const ci = meanConfidenceInterval([1, 2, 3, 4, 5]);
    expect(ci.mean).toBe(3);
    expect(ci.n).toBe(5);
    expect(ci.low).toBeCloseTo(1.036757, 6);
    expect(ci.high).toBeCloseTo(4.963243, 6);
  });

  it("widens with the confidence level and collapses to the mean below two values", () => {
    const xs = [0.2, 0.9, 0.4, 0.7];
    const ninety = meanConfidenceInterval(xs, 0.9);
    const ninetyNine = meanConfidenceInterval(xs, 0.99);
    expect(ninetyNine.high - ninetyNine.low).toBeGreaterThan(ninety.high - ninety.low);
    expect(meanConfidenceInterval([0.75])).toEqual({ mean: 0.75, low: 0.75, high: 0.75, n: 1 });
    expect(() => meanConfidenceInterval([])).toThrow(RangeError);
    expect(() => meanConfidenceInterval(xs, 95)).toThrow(/level/);
  });
});

describe("wilsonInterval", () => {
  // z = 1.959964, z² = 3.841459. 8/10: p̂ = 0.8, denominator 1 + 0.3841459 = 1.3841459,
  // centre (0.8 + 0.1920729)/1.3841459 = 0.716740, half-width
  // (1.959964/1.3841459)·√(0.016 + 0.0096036) = 1.416011 × 0.160011 = 0.226578 → [0.4902, 0.9433].
  it("matches the hand computation for 8/10", () => {
    const ci = wilsonInterval(8, 10);
    expect(ci.rate).toBe(0.8);
    expect(ci.low).toBeCloseTo(0.490162, 5);
    expect(ci.high).toBeCloseTo(0.943318, 5);
  });

  it("is not degenerate at 0/n and n/n", () => {
    // 0/10: centre = half-width = (z²/20)/(1 + z²/10), so [0, z²/10/(1 + z²/10)] = [0, 0.277533].
    expect(wilsonInterval(0, 10)).toEqual({ rate: 0, low: 0, high: expect.closeTo(0.277533, 6), n: 10 });
    // 10/10 mirrors it.
    expect(wilsonInterval(10, 10)).toEqual({ rate: 1, low: expect.closeTo(1 - 0.277533, 6), high: 1, n: 10 });
  });

  it("rejects impossible counts", () => {
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(0, 0)).toThrow(RangeError);
  });
});

describe("pairedBootstrapMeanDifference", () => {
  const noisy = (n: number, seed: number) => {
    // True mean difference 0.1; per-item noise uniform on [−0.3, 0.3], so sd(d) = 0.6/√12 ≈ 0.173.
    const random = lcg(seed);
    const a = Array.from({ length: n }, () => random());
    const b = a.map((x) => x + 0.1 + (random() - 0.5) * 0.6);
    return { a, b };
  };

  it("is deterministic given the seed", () => {
    const { a, b } = noisy(60, 1);
    const first = pairedBootstrapMeanDifference(a, b, { resamples: 1000, seed: 42 });
    expect(pairedBootstrapMeanDifference(a, b, { resamples: 1000, seed: 42 })).toEqual(first);
    const other = pairedBootstrapMeanDifference(a, b, { resamples: 1000, seed: 43 });
    expect(other.meanDifference).toBe(first.meanDifference);
    expect([other.low, other.high]).not.toEqual([first.low, first.high]);
  });

  it("contains the true difference and agrees with the t interval of the differences", () => {
    const { a, b } = noisy(200, 7);
    const boot = pairedBootstrapMeanDifference(a, b, { resamples: 2000, seed: 1 });
    expect(boot.resamples).toBe(2000);
    expect(boot.low).toBeLessThan(0.1);
    expect(boot.high).toBeGreaterThan(0.1);
    expect(boot.low).toBeLessThan(boot.meanDifference);
    expect(boot.high).toBeGreaterThan(boot.meanDifference);
    // With 200 roughly symmetric differences the percentile bootstrap and the t interval differ
    // only by sampling noise in the resamples and √((n − 1)/n): within 10% in width.
    const t = meanConfidenceInterval(b.map((x, i) => x - (a[i] as number)));
    expect(boot.meanDifference).toBeCloseTo(t.mean, 12);
    expect((boot.high - boot.low) / (t.high - t.low)).toBeGreaterThan(0.9);
    expect((boot.high - boot.low) / (t.high - t.low)).toBeLessThan(1.1);
  });

  it("narrows like 1/√n", () => {
    const width = (n: number) => {
      const { a, b } = noisy(n, 3);
      const ci = pairedBootstrapMeanDifference(a, b, { resamples: 2000, seed: 5 });
      return ci.high - ci.low;
    };
    const ratio = width(25) / width(400); // √(400/25) = 4
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(5);
  });

  it("matches the bootstrap distribution of two items", () => {
    // Differences 0 and 1: a resample's mean is 0 (p = ¼), ½ (p = ½) or 1 (p = ¼), so the 2.5th
    // and 97.5th percentiles of the resampled means are 0 and 1.
    const ci = pairedBootstrapMeanDifference([0.5, 0], [0.5, 1], { resamples: 2000, seed: 9 });
    expect(ci).toEqual({ meanDifference: 0.5, low: 0, high: 1, resamples: 2000 });
  });

  it("gives [0, 0] when every pair is equal", () => {
    const scores = [0.1, 0.5, 0.9, 1, 0];
    expect(pairedBootstrapMeanDifference(scores, [...scores])).toEqual({ meanDifference: 0, low: 0, high: 0, resamples: 10_000 });
  });

  it("rejects unpaired or unusable input", () => {
    expect(() => pairedBootstrapMeanDifference([1, 2], [1])).toThrow(/length/);
    expect(() => pairedBootstrapMeanDifference([], [])).toThrow(RangeError);
    expect(() => pairedBootstrapMeanDifference([1], [Number.NaN])).toThrow(/finite/);
    expect(() => pairedBootstrapMeanDifference([1], [1], { resamples: 0 })).toThrow(/resamples/);
  });
});

describe("mcnemar", () => {
  it("uses chi-square with continuity correction on Agresti's presidential approval data", () => {
    // Agresti, An Introduction to Categorical Data Analysis (2nd ed.), Table 8.1: 1600 people,
    // approve→approve 794, approve→disapprove 150, disapprove→approve 86, disapprove→disapprove 570.
    // Agresti reports the uncorrected z² = (86 − 150)²/236 = 17.356. With the continuity
    // correction: (|86 − 150| − 1)²/236 = 3969/236 = 16.818, p = erfc(√(16.818/2)) = 4.115e-5.
    const result = mcnemar(pairs({ tt: 794, tf: 150, ft: 86, ff: 570 }));
    expect(result).toMatchObject({ b01: 86, b10: 150, method: "chi-square" });
    expect(result.statistic).toBeCloseTo(3969 / 236, 10);
    expect(result.statistic).toBeCloseTo(16.818, 3);
    expect(result.pValue).toBeCloseTo(4.1146e-5, 8);
    expect(result.pValue).toBeLessThan(0.001);
  });

  it("uses the exact binomial test for few discordant items", () => {
    // b01 = 1, b10 = 7: 2·P(X ≤ 1), X ~ Bin(8, ½) = 2·(1 + 8)/256 = 18/256 = 0.0703125.
    // Concordant items (both pass, both fail) do not count.
    const result = mcnemar(pairs({ tt: 30, tf: 7, ft: 1, ff: 2 }));
    expect(result).toEqual({ b01: 1, b10: 7, statistic: 1, pValue: 0.0703125, method: "exact" });
    // Two-sided: the mirror image has the same p-value.
    expect(mcnemar(pairs({ tt: 0, tf: 1, ft: 7, ff: 0 }))).toEqual({ b01: 7, b10: 1, statistic: 1, pValue: 0.0703125, method: "exact" });
  });

  it("switches method at 25 discordant items", () => {
    // 24 discordant (5 vs 19): 2·Σ_{i≤5} C(24, i)/2²⁴ = 2·(1 + 24 + 276 + 2024 + 10626 + 42504)/16777216
    // = 110910/16777216 = 0.0066108.
    const exact = mcnemar(pairs({ tt: 0, tf: 19, ft: 5, ff: 0 }));
    expect(exact.method).toBe("exact");
    expect(exact.pValue).toBeCloseTo(110910 / 16777216, 12);
    // 25 discordant (5 vs 20): (15 − 1)²/25 = 7.84, p = P(χ²₁ > 7.84) = 0.0051103.
    const chi = mcnemar(pairs({ tt: 0, tf: 20, ft: 5, ff: 0 }));
    expect(chi).toMatchObject({ method: "chi-square", statistic: expect.closeTo(7.84, 12) });
    expect(chi.pValue).toBeCloseTo(0.0051103, 6);
  });

  it("finds no evidence when the discordant items split evenly or there are none", () => {
    expect(mcnemar([])).toEqual({ b01: 0, b10: 0, statistic: 0, pValue: 1, method: "exact" });
    expect(mcnemar(pairs({ tt: 3, tf: 4, ft: 4, ff: 1 })).pValue).toBe(1);
    // Chi-square with b01 = b10: the correction must not turn |0| − 1 into a positive statistic.
    expect(mcnemar(pairs({ tt: 0, tf: 15, ft: 15, ff: 0 }))).toMatchObject({ statistic: 0, pValue: 1, method: "chi-square" });
  });
});

describe("compareScores", () => {
  it("counts wins for b, losses, and ties up to epsilon", () => {
    const a = [0.5, 0.5, 0.5, 0.1 + 0.2, 1];
    const b = [0.7, 0.5, 0.2, 0.3, 0.9];
    // 0.1 + 0.2 = 0.30000000000000004 ties with 0.3.
    expect(compareScores(a, b)).toEqual({ wins: 1, losses: 2, ties: 2 });
    expect(compareScores(a, b, { epsilon: 0.15 })).toEqual({ wins: 1, losses: 1, ties: 3 });
    expect(compareScores([], [])).toEqual({ wins: 0, losses: 0, ties: 0 });
    expect(() => compareScores([1], [1, 2])).toThrow(/length/);
  });
});

describe("verdict", () => {
  const base = { evaluator: "exact-match", baselineLabel: "v6", candidateLabel: "v7", scale: "proportion" as const };

  it("states a significant improvement", () => {
    expect(verdict({ ...base, meanDifference: 0.042, low: 0.011, high: 0.073 })).toBe("v7 is better than v6 on exact-match: +4.2 points, 95% CI [+1.1, +7.3]");
  });

  it("states a significant regression with Unicode minus signs", () => {
    expect(verdict({ ...base, meanDifference: -0.031, low: -0.055, high: -0.007 })).toBe(
      "v7 is worse than v6 on exact-match: \u22123.1 points, 95% CI [\u22125.5, \u22120.7]",
    );
  });

  it("states no significant difference when the interval includes 0", () => {
    expect(verdict({ ...base, meanDifference: 0.008, low: -0.015, high: 0.031 })).toBe(
      "No significant difference between v7 and v6 on exact-match: +0.8 points, 95% CI [\u22121.5, +3.1]",
    );
    // Identical runs: the bootstrap gives [0, 0], which includes 0; zero carries no sign.
    expect(verdict({ ...base, meanDifference: 0, low: 0, high: 0 })).toBe(
      "No significant difference between v7 and v6 on exact-match: 0.0 points, 95% CI [0.0, 0.0]",
    );
    // −0.0004 rounds to zero points and is not shown as "−0.0".
    expect(verdict({ ...base, meanDifference: -0.0004, low: -0.02, high: 0.019 })).toBe(
      "No significant difference between v7 and v6 on exact-match: 0.0 points, 95% CI [\u22122.0, +1.9]",
    );
  });

  it("reports raw scales in their own units and other confidence levels", () => {
    expect(verdict({ ...base, evaluator: "helpfulness", scale: "raw", level: 0.9, meanDifference: 0.3, low: 0.1, high: 0.5 })).toBe(
      "v7 is better than v6 on helpfulness: +0.30, 90% CI [+0.10, +0.50]",
    );
  });

  it("classifies the interval, not the point estimate", () => {
    expect(differenceDirection({ low: 0.001, high: 0.2 })).toBe("better");
    expect(differenceDirection({ low: -0.2, high: -0.001 })).toBe("worse");
    expect(differenceDirection({ low: 0, high: 0.2 })).toBe("inconclusive");
    expect(() => verdict({ ...base, meanDifference: 0.1, low: 0.2, high: 0.1 })).toThrow(RangeError);
  });

  it("reads a bootstrap result end to end", () => {
    // The candidate fixes 5 of 10 items and breaks none. A resample's mean difference is
    // Binomial(10, ½)/10: P(X ≤ 1) = 0.011 and P(X ≤ 2) = 0.055, so the 2.5th percentile is 0.2 and,
    // by symmetry, the 97.5th is 0.8.
    const a = [0, 0, 0, 0, 0, 1, 1, 1, 0, 0];
    const b = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
    const ci = pairedBootstrapMeanDifference(a, b, { resamples: 2000, seed: 11 });
    expect(ci.meanDifference).toBe(0.5);
    expect(verdict({ ...base, ...ci })).toBe("v7 is better than v6 on exact-match: +50.0 points, 95% CI [+20.0, +80.0]");
    // Fixing 3 of 10 is not enough: P(X = 0) = 0.7¹⁰ = 0.028 > 0.025, so the interval reaches 0.
    const three = pairedBootstrapMeanDifference(a, [1, 1, 1, 0, 0, 1, 1, 1, 0, 0], { resamples: 2000, seed: 11 });
    expect(verdict({ ...base, ...three })).toMatch(/^No significant difference between v7 and v6 on exact-match: \+30\.0 points, 95% CI \[0\.0, /);
  });
});
