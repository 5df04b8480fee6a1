/**
 * Per-epoch seeded batch order (model.md "Optimiser"): each epoch is a fresh permutation of the training set
 * cut into consecutive batches; the last, shorter batch is kept. The position in the epoch and the RNG state
 * are serialisable, so a resumed or forked run draws exactly the batches the original would have.
 * `full` (model.md "Model switches"): every step is the whole training set in its split order, as Nanda et
 * al.'s full-batch training feeds it (no permutation: the order only moves rounding, and theirs is fixed).
 */
import { Rng, type RngState } from '../random/rng.js';

export interface BatchCursorState {
  rng: RngState;
  /** The current epoch's order (positions into the training set), empty before the first batch. */
  order: number[];
  /** Next position in `order`. */
  position: number;
}

export class BatchCursor {
  private rng: Rng;
  private order: Int32Array;
  private position: number;

  constructor(
    private readonly trainSize: number,
    private readonly batchSize: number | 'full',
    seedOrState: number | BatchCursorState,
  ) {
    if (trainSize <= 0) throw new RangeError('the training set is empty');
    if (batchSize !== 'full' && (!Number.isInteger(batchSize) || batchSize <= 0))
      throw new RangeError(`batch size must be a positive integer or 'full', got ${batchSize}`);
    if (typeof seedOrState === 'number') {
      this.rng = new Rng(seedOrState);
      this.order = new Int32Array(0);
      this.position = 0;
    } else {
      this.rng = new Rng(seedOrState.rng);
      this.order = Int32Array.from(seedOrState.order);
      this.position = seedOrState.position;
    }
  }

  /** Positions into the training set of the next batch. */
  next(): Int32Array {
    if (this.batchSize === 'full') return Int32Array.from({ length: this.trainSize }, (_, i) => i);
    if (this.position >= this.order.length) {
      this.order = this.rng.permutation(this.trainSize);
      this.position = 0;
    }
    const end = Math.min(this.position + this.batchSize, this.order.length);
    const batch = this.order.slice(this.position, end);
    this.position = end;
    return batch;
  }

  getState(): BatchCursorState {
    return { rng: this.rng.getState(), order: Array.from(this.order), position: this.position };
  }
}
