/**
 * The tasks of shared/spec/model.md: Z_p addition/subtraction/multiplication and S_n composition.
 * A task is its full grid of examples, row-major: index = x * m + y over the m operands.
 */
import { taskElements, type TaskConfig, type TaskKind } from '../schema/task.js';
import { SymmetricGroup } from './symmetric.js';
import { Rng } from '../random/rng.js';

export interface Task {
  kind: TaskKind;
  /** p for Z_p, n for S_n. */
  n: number;
  /** Number of operands (p, or n!). */
  elements: number;
  vocab: number;
  classes: number;
  gridSize: number;
  /** [gridSize * 3]: x, y, separator. */
  tokens: Int32Array;
  /** [gridSize]: the answer of each grid example. */
  labels: Int32Array;
}

function modOp(kind: TaskKind, p: number): (a: number, b: number) => number {
  switch (kind) {
    case 'mod_add':
      return (a, b) => (a + b) % p;
    case 'mod_sub':
      return (a, b) => (((a - b) % p) + p) % p;
    case 'mod_mul':
      return (a, b) => (a * b) % p;
    default:
      throw new Error(`not a Z_p task: ${kind}`);
  }
}

export function makeTask(kind: TaskKind, n: number): Task {
  const elements = taskElements(kind, n);
  const op: (a: number, b: number) => number =
    kind === 'sym'
      ? ((group) => (a: number, b: number) => group.multiply(a, b))(new SymmetricGroup(n))
      : modOp(kind, n);
  const gridSize = elements * elements;
  const tokens = new Int32Array(gridSize * 3);
  const labels = new Int32Array(gridSize);
  for (let x = 0; x < elements; x++) {
    for (let y = 0; y < elements; y++) {
      const i = x * elements + y;
      tokens[i * 3] = x;
      tokens[i * 3 + 1] = y;
      tokens[i * 3 + 2] = elements;
      labels[i] = op(x, y);
    }
  }
  return { kind, n, elements, vocab: elements + 1, classes: elements, gridSize, tokens, labels };
}

export interface Split {
  /** Grid indices of the training set, in split order. */
  train: Int32Array;
  validation: Int32Array;
}

/** model.md "Split": a seeded permutation of all grid indices; the first floor(frac * |grid|) train. */
export function makeSplit(gridSize: number, trainFrac: number, seed: number): Split {
  const perm = new Rng(seed).permutation(gridSize);
  const nTrain = Math.floor(trainFrac * gridSize);
  return { train: perm.slice(0, nTrain), validation: perm.slice(nTrain) };
}

export function taskFromConfig(config: TaskConfig): { task: Task; split: Split } {
  const task = makeTask(config.kind, config.n);
  return { task, split: makeSplit(task.gridSize, config.train_frac, config.split_seed) };
}

/** Gathers grid examples into engine inputs. */
export function gather(task: Task, indices: ArrayLike<number>): { tokens: Int32Array; labels: Int32Array } {
  const tokens = new Int32Array(indices.length * 3);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const g = indices[i];
    tokens[i * 3] = task.tokens[g * 3];
    tokens[i * 3 + 1] = task.tokens[g * 3 + 1];
    tokens[i * 3 + 2] = task.tokens[g * 3 + 2];
    labels[i] = task.labels[g];
  }
  return { tokens, labels };
}
