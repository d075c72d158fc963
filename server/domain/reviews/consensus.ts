// When independent grades agree: every categorical and boolean dimension identical, numeric ones
// within one step of each other (their mean, snapped to the step, becomes the consensus). Free
// text never blocks a consensus (the comments are kept with the reviews).
import type { Grade, Rubric } from "../../contracts/reviews";

export function consensusOf(rubric: Rubric, grades: Grade[]): Grade | null {
  if (grades.length === 0) return null;
  const out: Grade = {};
  for (const d of rubric) {
    const values = grades.map((g) => g[d.key]).filter((v) => v !== undefined && v !== "");
    if (values.length === 0) continue;
    if (d.type === "text") continue;
    if (d.type === "numeric") {
      const nums = values as number[];
      if (Math.max(...nums) - Math.min(...nums) > d.step + 1e-9) return null;
      const mean = nums.reduce((a, b) => a + b, 0) / nums.length;
      out[d.key] = Math.min(d.max, Math.max(d.min, d.min + Math.round((mean - d.min) / d.step) * d.step));
      continue;
    }
    if (values.some((v) => v !== values[0])) return null;
    out[d.key] = values[0]!;
  }
  return out;
}

/** Items whose reviews differ: for the disagreements list. */
export function disagreementOf(rubric: Rubric, grades: Grade[]): string[] {
  const dims: string[] = [];
  for (const d of rubric) {
    if (d.type === "text") continue;
    const values = grades.map((g) => g[d.key]).filter((v) => v !== undefined && v !== "");
    if (values.length < 2) continue;
    if (d.type === "numeric") {
      const nums = values as number[];
      if (Math.max(...nums) - Math.min(...nums) > d.step + 1e-9) dims.push(d.key);
    } else if (values.some((v) => v !== values[0])) dims.push(d.key);
  }
  return dims;
}
