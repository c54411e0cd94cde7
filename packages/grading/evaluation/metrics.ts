/**
 * Agreement between a grader's verdicts and the labels: exact agreement,
 * lenient agreement (partially met counts as met), Cohen's kappa over the
 * three verdicts, and the Pearson correlation of the grader's score with the
 * score the labels give.
 */
import { type RubricItem, type Verdict, verdicts } from '@sp/core';
import { scoreOf } from '../src/report.js';
import type { LabelledInterview } from './types.js';

/** One interview as graded: the grader's verdict per item and its score. */
export interface GradedInterview {
  interview: LabelledInterview;
  rubric: Pick<RubricItem, 'id' | 'weight'>[];
  verdicts: Record<string, Verdict>;
  score: number;
}

export interface Agreement {
  interviews: number;
  items: number;
  exact: number;
  lenient: number;
  kappa: number;
  scoreCorrelation: number;
}

const lenient = (v: Verdict) => (v === 'not_met' ? 'not_met' : 'met');

export function cohensKappa(pairs: [Verdict, Verdict][]): number {
  if (!pairs.length) return Number.NaN;
  const n = pairs.length;
  const observed = pairs.filter(([a, b]) => a === b).length / n;
  const expected = verdicts.reduce((sum, v) => {
    const a = pairs.filter(([x]) => x === v).length / n;
    const b = pairs.filter(([, y]) => y === v).length / n;
    return sum + a * b;
  }, 0);
  return expected === 1 ? 1 : (observed - expected) / (1 - expected);
}

export function pearson(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx && syy ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

/** The score the labels give, by the report's own rule. */
export function labelScore(graded: Pick<GradedInterview, 'interview' | 'rubric'>): number {
  const items = Object.entries(graded.interview.labels).map(([item_id, l]) => ({ item_id, verdict: l.verdict }));
  return scoreOf(graded.rubric, items);
}

export function agreement(graded: GradedInterview[]): Agreement {
  const pairs: [Verdict, Verdict][] = graded.flatMap((g) =>
    Object.entries(g.interview.labels).map(([id, l]) => [g.verdicts[id] ?? 'not_met', l.verdict] as [Verdict, Verdict]),
  );
  const n = pairs.length;
  return {
    interviews: graded.length,
    items: n,
    exact: pairs.filter(([a, b]) => a === b).length / n,
    lenient: pairs.filter(([a, b]) => lenient(a) === lenient(b)).length / n,
    kappa: cohensKappa(pairs),
    scoreCorrelation: pearson(
      graded.map((g) => g.score),
      graded.map(labelScore),
    ),
  };
}

/** Per case (by slug) and overall. */
export function agreementByCase(graded: GradedInterview[]): { byCase: Map<string, Agreement>; overall: Agreement } {
  const slugs = [...new Set(graded.map((g) => g.interview.caseSlug))];
  return {
    byCase: new Map(slugs.map((s) => [s, agreement(graded.filter((g) => g.interview.caseSlug === s))])),
    overall: agreement(graded),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const num = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(2));

/** A markdown table of the figures. */
export function agreementTable(result: ReturnType<typeof agreementByCase>): string {
  const row = (name: string, a: Agreement) =>
    `| ${name} | ${a.interviews} | ${a.items} | ${pct(a.exact)} | ${pct(a.lenient)} | ${num(a.kappa)} | ${num(a.scoreCorrelation)} |`;
  return [
    "| case | interviews | items | exact agreement | lenient agreement | Cohen's kappa | score correlation |",
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...[...result.byCase].map(([slug, a]) => row(slug, a)),
    row('**overall**', result.overall),
  ].join('\n');
}
