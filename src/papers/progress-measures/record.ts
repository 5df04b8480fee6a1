/**
 * Progress-measures' checkpoint record: the core fields (src/schema/record.ts: losses and accuracies over every
 * class the model trains on, the separator's included) and the measures of shared/spec/papers/progress-measures/
 * claims.md §2 that need no look-ahead, at every checkpoint. The measures that read the final model's key
 * frequencies (rules 1 and 2, §2.4) are a second pass over the kept checkpoints.
 */
import { z } from 'zod';
import { JsonNumberSchema } from '../../schema/jsonNumber.js';
import { recordSchema } from '../../schema/record.js';
import type { RecordLayout } from '../../train/measures.js';

const num = JsonNumberSchema;
const count = z.number().int().min(0);

export const ProgressRecordSchema = recordSchema(
  {
    /** 113-way (the separator's column dropped, §2.2), float64 cross-entropy on the train rows, the test rows and all. */
    train_loss_113: num,
    test_loss_113: num,
    all_loss_113: num,
    train_acc_113: num,
    test_acc_113: num,
    /** Sum of squared weights over every parameter, biases included (§2.7), and without the biases and the separator's rows of W_E and W_U. */
    ssw: num,
    ssw_core: num,
    /**
     * Gini (§2.7) of the Fourier component norms of W_E's number rows (e_0..e_{p-1}) and of the neuron-logit map
     * W_L (l_0..l_{p-1}) (canonical), and of their per-frequency norms (the alternative). The norms themselves
     * come from the parameters at any kept checkpoint; the final model's are the second pass's.
     */
    gini_we: num,
    gini_wl: num,
    gini_we_frequency: num,
    gini_wl_frequency: num,
    /** E_max (§2.6): the largest E_k on the train rows over k = 1..(p-1)/2, and its k. No look-ahead. */
    excluded_max: num,
    excluded_max_frequency: z.number().int().positive().nullable(),
    /** Every E_k (index k - 1), at rule 1''s cadence only, else null (so the committed records stay small). */
    excluded_per_frequency: z.array(num).nullable(),
    /** Rule 1' (§2.4) at the options' cadence, else null: how many neurons pick each k = 1..(p-1)/2, and how many are >= 85% explained. */
    neuron_frequency_counts: z.array(count).nullable(),
    neurons_explained_85: count.nullable(),
    /** R (all rows, with its accuracy) and E (train rows) with rule 1''s key frequencies (§2.5, §2.6); null off the cadence. */
    restricted_loss_now: num.nullable(),
    restricted_acc_now: num.nullable(),
    excluded_loss_now: num.nullable(),
    /** arXiv 2606.12966's FSD of the MLP hidden on the grid (metrics.md "FSD"), for the cross-check, and its top frequency. */
    fsd_mlp: num,
    fsd_mlp_top_frequency: z.number().int().nullable(),
  },
  (r, issue) => {
    const unit = (x: number) => x >= 0 && x <= 1;
    for (const key of ['train_acc_113', 'test_acc_113', 'gini_we', 'gini_wl', 'gini_we_frequency', 'gini_wl_frequency', 'fsd_mlp'] as const)
      if (!unit(r[key])) issue([key], `must lie in [0, 1], got ${r[key]}`);
    if (r.restricted_acc_now !== null && !unit(r.restricted_acc_now)) issue(['restricted_acc_now'], `must lie in [0, 1], got ${r.restricted_acc_now}`);
    // The cadence fields come together: all measured, or all null.
    const cadence = [r.excluded_per_frequency, r.neuron_frequency_counts, r.neurons_explained_85, r.restricted_loss_now, r.excluded_loss_now];
    if (cadence.some((x) => x === null) !== cadence.every((x) => x === null)) issue(['neuron_frequency_counts'], "rule 1''s fields are measured together: all or none");
    if (r.excluded_per_frequency && r.neuron_frequency_counts && r.excluded_per_frequency.length !== r.neuron_frequency_counts.length)
      issue(['excluded_per_frequency'], `one E_k and one count per frequency, got ${r.excluded_per_frequency.length} and ${r.neuron_frequency_counts.length}`);
  },
);
export type ProgressRecord = z.infer<typeof ProgressRecordSchema>;

export const progressRecordLayout: RecordLayout<ProgressRecord> = { schema: ProgressRecordSchema };
