/**
 * The role a run plays in the paper's experiments (shared/spec/claims.md, "Experiments"). One config may play
 * several roles (the schedule experiment's constant-lambda runs are the main runs of the same seeds); the run
 * store deduplicates them by content address, the claims look runs up by role.
 */

/**
 * The experiments of claims.md's table, in its order, then the ones added beside it to decide its claims
 * (profiles.ts `replicates`, `forksAtPaperSteps`).
 */
export const EXPERIMENT_IDS = ['main', 'ops', 'fork97', 'forks', 'arch', 'schedule', 'ablate', 's5', 'replicates', 'forks-paper'] as const;
export type ExperimentId = (typeof EXPERIMENT_IDS)[number];

export function isExperimentId(s: string): s is ExperimentId {
  return (EXPERIMENT_IDS as readonly string[]).includes(s);
}

export type ArchVariantId = '1l-standard' | '2l-attn_only' | '2l-mlp_only';

/** claims.md "schedule": `earlystep` is a fixed early step (step 500 in the paper). */
export type ScheduleTrigger = 'fsd' | 'mem' | 'earlystep';

export type RunRole =
  | { experiment: 'main'; p: number; seed: number }
  /** Seed `seed` of prime p with main's config (the 9 main configurations are among them). */
  | { experiment: 'replicates'; p: number; seed: number }
  | { experiment: 'ops'; op: 'sub' | 'mul'; p: number; seed: number }
  /** Fork of main p/seed at its FSD ceiling with weight decay `lambda`. */
  | { experiment: 'fork97'; p: number; seed: number; lambda: number }
  /** Draw `draw` of the cell (p, lambda): a fork of main p/parentSeed, with its own batch order when batchSeed is set. */
  | { experiment: 'forks'; p: number; lambda: number; draw: number; parentSeed: number; batchSeed?: number }
  /** The same draw forked at the paper's step for p (claims.md "Fork point", fork.at = paper). */
  | { experiment: 'forks-paper'; p: number; lambda: number; draw: number; parentSeed: number; batchSeed?: number }
  | { experiment: 'arch'; p: number; seed: number; arch: ArchVariantId }
  /** lambdaHigh/trigger null: the constant-lambda reference run. */
  | { experiment: 'schedule'; p: number; seed: number; lambdaHigh: number | null; trigger: ScheduleTrigger | null }
  | { experiment: 's5'; n: number; seed: number };

/** A stable, human-readable key naming the role, e.g. `main/p97/s42`, `forks/p53/l2/d0`. */
export function roleKey(role: RunRole): string {
  switch (role.experiment) {
    case 'main':
      return `main/p${role.p}/s${role.seed}`;
    case 'ops':
      return `ops/${role.op}/p${role.p}/s${role.seed}`;
    case 'fork97':
      return `fork97/p${role.p}/s${role.seed}/l${role.lambda}`;
    case 'replicates':
      return `replicates/p${role.p}/s${role.seed}`;
    case 'forks':
    case 'forks-paper':
      return `${role.experiment}/p${role.p}/l${role.lambda}/d${role.draw}`;
    case 'arch':
      return `arch/${role.arch}/p${role.p}/s${role.seed}`;
    case 'schedule':
      return role.trigger === null
        ? `schedule/p${role.p}/s${role.seed}/constant`
        : `schedule/p${role.p}/s${role.seed}/${role.trigger}/l${role.lambdaHigh}`;
    case 's5':
      return `s5/n${role.n}/s${role.seed}`;
  }
}

/** Key of the main run that a fork or an ablation reads (the parent). */
export function mainKey(p: number, seed: number): string {
  return roleKey({ experiment: 'main', p, seed });
}
