// Statistics for evaluation runs: summaries of one run (means, spreads, pass rates with their
// intervals) and comparisons of two runs scored on the same items (paired bootstrap of the mean
// difference, McNemar's test on pass/fail, win/loss/tie counts) plus the sentence that states
// the outcome. Pure numeric code with no imports, so it can run anywhere; every routine names
// the reference it follows. Empty or non-finite input throws a RangeError: a NaN score must
// fail loudly rather than turn a run summary into "NaN points".

export type ConfidenceInterval = { mean: number; low: number; high: number; n: number };
export type RateInterval = { rate: number; low: number; high: number; n: number };
export type BootstrapInterval = { meanDifference: number; low: number; high: number; resamples: number };
export type McNemarResult = {
  /** Items that failed in run A and passed in run B. */
  b01: number;
  /** Items that passed in run A and failed in run B. */
  b10: number;
  /** Exact method: min(b01, b10). Chi-square method: the continuity-corrected statistic. */
  statistic: number;
  pValue: number;
  method: "exact" | "chi-square";
};
export type ScoreComparison = { wins: number; losses: number; ties: number };

/**
 * How scores are reported. "proportion": scores in [0, 1], differences shown in points
 * (difference × 100, one decimal). "raw": differences shown in the evaluator's own units
 * (two decimals, no unit word), e.g. for a 1–5 rating.
 */
export type ScoreScale = "proportion" | "raw";
export type DifferenceDirection = "better" | "worse" | "inconclusive";

/** Below this many discordant pairs McNemar's test uses the exact binomial distribution. */
export const MCNEMAR_EXACT_BELOW = 25;

// ---------------------------------------------------------------------------------------------
// Descriptive statistics

export function mean(xs: readonly number[]): number {
  assertSample(xs, 1, "mean");
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Standard deviation with Bessel's correction (n − 1 in the denominator); needs n ≥ 2. */
export function sampleStdDev(xs: readonly number[]): number {
  assertSample(xs, 2, "sampleStdDev");
  // Two passes (mean first, then squared deviations) avoid the cancellation of Σx² − n·x̄².
  const m = mean(xs);
  let squares = 0;
  for (const x of xs) squares += (x - m) * (x - m);
  return Math.sqrt(squares / (xs.length - 1));
}

/**
 * The p-th percentile, p in [0, 100], by linear interpolation between closest ranks: with the
 * values sorted ascending as x[0..n−1], h = (n − 1)·p/100 and the result is
 * x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). This is NumPy's default (`method="linear"`),
 * Hyndman & Fan's definition 7, and R's default `quantile(type = 7)`.
 */
export function percentile(xs: readonly number[], p: number): number {
  assertSample(xs, 1, "percentile");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be in [0, 100], got ${p}`);
  return percentileOfSorted(Float64Array.from(xs).sort(), p);
}

function percentileOfSorted(sorted: Float64Array, p: number): number {
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const below = sorted[lo] as number;
  if (lo === h) return below;
  const above = sorted[lo + 1] as number;
  return below + (h - lo) * (above - below);
}

// ---------------------------------------------------------------------------------------------
// Intervals

/**
 * Two-sided Student-t interval for the mean: x̄ ± t(1 − α/2, n − 1)·s/√n. With fewer than two
 * values there is no spread to estimate, so low = high = mean.
 */
export function meanConfidenceInterval(xs: readonly number[], level = 0.95): ConfidenceInterval {
  assertLevel(level, "meanConfidenceInterval");
  const m = mean(xs);
  const n = xs.length;
  if (n < 2) return { mean: m, low: m, high: m, n };
  const half = (studentTQuantile(1 - (1 - level) / 2, n - 1) * sampleStdDev(xs)) / Math.sqrt(n);
  return { mean: m, low: m - half, high: m + half, n };
}

/**
 * Wilson score interval for a proportion (E. B. Wilson, JASA 22, 1927; recommended over the
 * Wald interval by Brown, Cai & DasGupta, Statistical Science 16, 2001): with p̂ = k/n and
 * z = Φ⁻¹(1 − α/2), (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n). Unlike the Wald
 * interval it stays inside [0, 1] and is not degenerate at 0/n or n/n.
 */
export function wilsonInterval(successes: number, n: number, level = 0.95): RateInterval {
  assertLevel(level, "wilsonInterval");
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`wilsonInterval: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`wilsonInterval: successes must be an integer in [0, ${n}], got ${successes}`);
  }
  const rate = successes / n;
  const z = normalQuantile(1 - (1 - level) / 2);
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (rate + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((rate * (1 - rate)) / n + z2 / (4 * n * n));
  // The bounds are exactly 0 and 1 at k = 0 and k = n; rounding must not show "−0.0%".
  const low = successes === 0 ? 0 : Math.max(0, centre - half);
  const high = successes === n ? 1 : Math.min(1, centre + half);
  return { rate, low, high, n };
}

/**
 * Percentile bootstrap (Efron & Tibshirani, An Introduction to the Bootstrap, 1993, ch. 13) of
 * the mean of the paired differences b[i] − a[i]: resample items with replacement, keep each
 * resample's mean difference, and take the (1 − level)/2 and (1 + level)/2 percentiles of those
 * means (by `percentile`'s definition). Resampling items (not scores) keeps the pairing, so the
 * interval reflects item-to-item variation. Deterministic given the seed; the default seed is
 * fixed so a comparison shows the same interval every time it is computed.
 */
export function pairedBootstrapMeanDifference(
  a: readonly number[],
  b: readonly number[],
  options: { resamples?: number; level?: number; seed?: number } = {},
): BootstrapInterval {
  const { resamples = 10_000, level = 0.95, seed = 0x6b65656c } = options;
  assertLevel(level, "pairedBootstrapMeanDifference");
  assertPaired(a, b, "pairedBootstrapMeanDifference");
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`pairedBootstrapMeanDifference: resamples must be a positive integer, got ${resamples}`);
  }
  if (!Number.isInteger(seed)) throw new RangeError(`pairedBootstrapMeanDifference: seed must be an integer, got ${seed}`);
  const n = a.length;
  const differences = new Float64Array(n);
  for (let i = 0; i < n; i++) differences[i] = (b[i] as number) - (a[i] as number);
  let total = 0;
  for (const d of differences) total += d;
  const meanDifference = total / n;

  const random = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[Math.floor(random() * n)] as number;
    means[r] = sum / n;
  }
  means.sort();
  return {
    meanDifference,
    low: percentileOfSorted(means, (100 * (1 - level)) / 2),
    high: percentileOfSorted(means, (100 * (1 + level)) / 2),
    resamples,
  };
}

/**
 * mulberry32 (Tommy Ettinger, 2017, public domain): a 32-bit-state generator, plenty for
 * resampling indices, returning uniform floats in [0, 1).
 */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Paired comparisons

/**
 * McNemar's test (Psychometrika 12, 1947) for pass/fail of the same items in runs A and B. Only
 * the discordant items count: b01 (A failed, B passed) and b10 (A passed, B failed). Under the
 * null hypothesis each discordant item goes either way with probability 1/2.
 * - Fewer than 25 discordant items: exact two-sided binomial test,
 *   p = min(1, 2·P(X ≤ min(b01, b10))) with X ~ Binomial(b01 + b10, 1/2); statistic = min(b01, b10).
 * - Otherwise: chi-square with 1 df and Edwards' continuity correction,
 *   statistic = (|b01 − b10| − 1)² / (b01 + b10) (the correction never pushes below 0).
 * (Agresti, Categorical Data Analysis, 3rd ed., §11.1; the 25 threshold follows common practice,
 * e.g. statsmodels' `mcnemar` guidance.)
 */
export function mcnemar(pairs: readonly { a: boolean; b: boolean }[]): McNemarResult {
  let b01 = 0;
  let b10 = 0;
  for (const { a, b } of pairs) {
    if (!a && b) b01++;
    else if (a && !b) b10++;
  }
  const discordant = b01 + b10;
  if (discordant < MCNEMAR_EXACT_BELOW) {
    const k = Math.min(b01, b10);
    let coefficient = 1; // C(discordant, i), exact in doubles for discordant < 25
    let tail = 0;
    for (let i = 0; i <= k; i++) {
      tail += coefficient;
      coefficient = (coefficient * (discordant - i)) / (i + 1);
    }
    const pValue = Math.min(1, (2 * tail) / 2 ** discordant);
    return { b01, b10, statistic: k, pValue, method: "exact" };
  }
  const corrected = Math.max(0, Math.abs(b01 - b10) - 1);
  const statistic = (corrected * corrected) / discordant;
  return { b01, b10, statistic, pValue: chiSquare1Survival(statistic), method: "chi-square" };
}

/**
 * Item-by-item counts for paired numeric scores: a win when b exceeds a by more than epsilon,
 * a loss when a exceeds b by more than epsilon, a tie otherwise (so scores equal up to
 * floating-point noise tie).
 */
export function compareScores(a: readonly number[], b: readonly number[], options: { epsilon?: number } = {}): ScoreComparison {
  const { epsilon = 1e-9 } = options;
  if (!(epsilon >= 0)) throw new RangeError(`compareScores: epsilon must be ≥ 0, got ${epsilon}`);
  if (a.length !== b.length) throw new RangeError(`compareScores: paired arrays differ in length (${a.length} and ${b.length})`);
  assertFinite(a, "compareScores");
  assertFinite(b, "compareScores");
  let wins = 0;
  let losses = 0;
  let ties = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (b[i] as number) - (a[i] as number);
    if (d > epsilon) wins++;
    else if (d < -epsilon) losses++;
    else ties++;
  }
  return { wins, losses, ties };
}

/** "better" when the interval lies above 0, "worse" when below, "inconclusive" when it touches 0. */
export function differenceDirection(interval: { low: number; high: number }): DifferenceDirection {
  if (interval.low > 0) return "better";
  if (interval.high < 0) return "worse";
  return "inconclusive";
}

/**
 * The outcome of a comparison as one sentence, e.g.
 * "v7 is better than v6 on exact-match: +4.2 points, 95% CI [+1.1, +7.3]" or
 * "No significant difference between v7 and v6 on exact-match: +0.8 points, 95% CI [−1.5, +3.1]".
 * Positive numbers carry "+", negative ones the Unicode minus sign (U+2212), and a value that
 * rounds to zero is written without a sign.
 */
export function verdict(input: {
  evaluator: string;
  baselineLabel: string;
  candidateLabel: string;
  meanDifference: number;
  low: number;
  high: number;
  scale: ScoreScale;
  /** The interval's confidence level, for the "95% CI" text. */
  level?: number;
}): string {
  const { evaluator, baselineLabel: baseline, candidateLabel: candidate, meanDifference, low, high, scale, level = 0.95 } = input;
  assertLevel(level, "verdict");
  if (![meanDifference, low, high].every(Number.isFinite)) throw new RangeError("verdict: meanDifference, low and high must be finite");
  if (low > high) throw new RangeError(`verdict: low (${low}) exceeds high (${high})`);
  const format = (x: number) => (scale === "proportion" ? signed(x * 100, 1) : signed(x, 2));
  const unit = scale === "proportion" ? " points" : "";
  const detail = `${format(meanDifference)}${unit}, ${formatLevel(level)}% CI [${format(low)}, ${format(high)}]`;
  switch (differenceDirection({ low, high })) {
    case "better":
      return `${candidate} is better than ${baseline} on ${evaluator}: ${detail}`;
    case "worse":
      return `${candidate} is worse than ${baseline} on ${evaluator}: ${detail}`;
    case "inconclusive":
      return `No significant difference between ${candidate} and ${baseline} on ${evaluator}: ${detail}`;
  }
}

const MINUS = "\u2212";

function signed(x: number, decimals: number): string {
  const text = Math.abs(x).toFixed(decimals);
  if (Number(text) === 0) return text;
  return (x > 0 ? "+" : MINUS) + text;
}

function formatLevel(level: number): string {
  // 0.95 → "95", 0.999 → "99.9" (up to two decimals, no trailing zeros)
  return String(Number((level * 100).toFixed(2)));
}

// ---------------------------------------------------------------------------------------------
// Distributions

/**
 * Quantile of Student's t distribution with df > 0 degrees of freedom (df = Infinity gives the
 * normal quantile). Solves P(T > t) = min(p, 1 − p) for t ≥ 0, where
 * P(T > t) = ½·I_{df/(df+t²)}(df/2, ½) (Abramowitz & Stegun 26.7.1 with 26.5.27), by Newton's
 * method safeguarded with bisection, to about 1e-12 relative accuracy. Solving on the tail
 * probability keeps full precision for p close to 1.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`studentTQuantile: df must be > 0, got ${df}`);
  if (df === Infinity) return normalQuantile(p);
  if (p === 0.5) return 0;
  const target = Math.min(p, 1 - p);
  const excess = (t: number) => studentTTail(t, df) - target; // decreasing in t

  // Bracket the root: excess(lo) > 0 ≥ excess(hi).
  let lo = 0;
  let hi = 1;
  while (excess(hi) > 0) {
    lo = hi;
    hi *= 2;
    if (!Number.isFinite(hi)) break;
  }
  let t = (lo + hi) / 2;
  const logDensityConstant = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  for (let i = 0; i < 200; i++) {
    const f = excess(t);
    if (f === 0) break;
    if (f > 0) lo = t;
    else hi = t;
    const density = Math.exp(logDensityConstant - ((df + 1) / 2) * Math.log1p((t * t) / df));
    let next = t + f / density; // Newton: d/dt P(T > t) = −density(t)
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    const step = Math.abs(next - t);
    t = next;
    if (step <= 1e-13 * Math.max(1, t)) break;
  }
  return p > 0.5 ? t : -t;
}

/** P(T > t) for t ≥ 0. */
function studentTTail(t: number, df: number): number {
  return 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/**
 * Quantile of the standard normal distribution: Acklam's rational approximation (P. J. Acklam,
 * "An algorithm for computing the inverse normal cumulative distribution function", 2003;
 * relative error below 1.15e-9) refined by one Halley step against `erfc`, which brings it to
 * near double precision.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const tailPoly = (q: number) => (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    x = tailPoly(Math.sqrt(-2 * Math.log(p)));
  } else if (p > 1 - pLow) {
    x = -tailPoly(Math.sqrt(-2 * Math.log1p(-p)));
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
  }
  // Halley refinement (Acklam's note): e = Φ(x) − p, u = e·√(2π)·exp(x²/2).
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/**
 * Complementary error function, via erfc(x) = Q(½, x²) for x ≥ 0 (Abramowitz & Stegun 6.5.17;
 * Q the regularized upper incomplete gamma function) and erfc(−x) = 2 − erfc(x).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  return regularizedUpperGamma(0.5, x * x);
}

/** P(X > x) for X ~ χ² with 1 degree of freedom: erfc(√(x/2)) (X is the square of a standard normal). */
export function chiSquare1Survival(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  return erfc(Math.sqrt(x / 2));
}

// ---------------------------------------------------------------------------------------------
// Special functions (Numerical Recipes, 3rd ed., Press et al. 2007, §6.1, §6.2, §6.4)

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0: Lanczos approximation with g = 7, n = 9 (about 15 significant digits). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x); // reflection
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPSILON = 1e-15;
const TINY = 1e-300;
const MAX_ITERATIONS = 100_000;

/** I_x(a, b), the regularized incomplete beta function (NR §6.4, continued fraction by modified Lentz). */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // The continued fraction converges quickly for x < (a + 1)/(a + b + 2); use symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const guard = (v: number) => (Math.abs(v) < TINY ? TINY : v);
  let c = 1;
  let d = 1 / guard(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 / guard(1 + aa * d);
    c = guard(1 + aa / c);
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 / guard(1 + aa * d);
    c = guard(1 + aa / c);
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}

/** Q(a, x) = Γ(a, x)/Γ(a), the regularized upper incomplete gamma function (NR §6.2). */
function regularizedUpperGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    // Series for P(a, x), then Q = 1 − P.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n <= MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return 1 - sum * front;
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  const guard = (v: number) => (Math.abs(v) < TINY ? TINY : v);
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = 1 / guard(an * d + b);
    c = guard(b + an / c);
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return front * h;
}

// ---------------------------------------------------------------------------------------------
// Input checks

function assertFinite(xs: readonly number[], where: string): void {
  for (const x of xs) if (!Number.isFinite(x)) throw new RangeError(`${where}: values must be finite numbers, got ${x}`);
}

function assertSample(xs: readonly number[], minimum: number, where: string): void {
  if (xs.length < minimum) throw new RangeError(`${where}: needs at least ${minimum} value${minimum === 1 ? "" : "s"}, got ${xs.length}`);
  assertFinite(xs, where);
}

function assertPaired(a: readonly number[], b: readonly number[], where: string): void {
  if (a.length !== b.length) throw new RangeError(`${where}: paired arrays differ in length (${a.length} and ${b.length})`);
  assertSample(a, 1, where);
  assertFinite(b, where);
}

function assertLevel(level: number, where: string): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`${where}: level must be in (0, 1), got ${level}`);
}
