/**
 * C14 zero-ablation: accuracy drop when zeroing each block's attention or MLP at the grokking checkpoint of the
 * reference run (claims.md "ablate"). The measurement is stored beside the run (ablation.ts); this only judges
 * it. Paper's ranking (largest drop first): block-1 attn 94.4 pp, block-0 attn 89.0, block-1 MLP 88.0, block-0 MLP 11.8.
 */
import { notEvaluable, verdict } from '../../../paper/claim.js';
import { ABLATION, accuracyDrops, type AblationResult, type ComponentName } from '../ablation.js';
import type { Claim } from './claim.js';

export const PAPER_RANKING: ComponentName[] = ['block1.attn', 'block0.attn', 'block1.mlp', 'block0.mlp'];
/** The band: the block-0 MLP drop below this many percentage points (the paper: 11.8). */
export const MAX_BLOCK0_MLP_DROP = 30;

export const C14: Claim = {
  id: 'C14',
  name: 'zero-ablation',
  statement: 'accuracy drop when zeroing a component at the grokking checkpoint',
  paper: 'block-1 attn 94.4 pp, block-0 attn 89.0, block-1 MLP 88.0, block-0 MLP 11.8',
  band: `the paper's ranking and a block-0 MLP drop < ${MAX_BLOCK0_MLP_DROP} pp`,
  direction: 'the block-0 MLP drop is the smallest',
  experiments: ['ablate'],
  evaluate(ctx) {
    const key = ctx.referenceKey;
    const unavailable = ctx.notEvaluableFor([key]);
    if (unavailable) return unavailable;
    const run = ctx.run(key);
    const ab = run.measurements[ABLATION] as AblationResult | undefined;
    if (!ab) return notEvaluable(`no ablation measurement stored for ${key} (run ${run.id})`, [run.id]);
    if (ab.run_id !== run.id) return notEvaluable(`the stored ablation belongs to run ${ab.run_id}, not ${run.id}`, [run.id]);
    const drops = accuracyDrops(ab);
    const missing = PAPER_RANKING.filter((c) => drops[c] === undefined);
    if (missing.length) return notEvaluable(`the model has no ${missing.join(', ')}`, [run.id]);
    const values = PAPER_RANKING.map((c) => drops[c]!);
    const sameRanking = values.every((v, i) => i === 0 || v < values[i - 1]);
    const b0mlp = drops['block0.mlp']!;
    const smallest = values.every((v) => b0mlp <= v);
    const ours = [...PAPER_RANKING].sort((a, b) => drops[b]! - drops[a]!);
    const notes = [`measured at step ${ab.step} (the canonical grokking checkpoint) on ${ab.engine}; analysis options do not move it`];
    const grok = ctx.events(key).grok;
    if (grok !== null && grok !== ab.step) notes.push(`under these options the run groks at ${grok}, not at the ablated step ${ab.step}`);
    return {
      verdict: verdict({ reproduced: sameRanking && b0mlp < MAX_BLOCK0_MLP_DROP, direction: smallest }),
      reason: `ranking ${ours.join(' > ')}${sameRanking ? ' (as the paper)' : ''}; block-0 MLP drop ${b0mlp.toFixed(1)} pp`,
      figure: PAPER_RANKING.map((c) => `${c} ${drops[c]!.toFixed(1)} pp`).join(', '),
      data: { step: ab.step, baseline_accuracy: ab.baseline_accuracy, drops_pp: Object.fromEntries(PAPER_RANKING.map((c) => [c, drops[c]!])), ranking: ours },
      runIds: [run.id],
      notes,
    };
  },
};
