import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gather, makeSplit, makeTask } from './task.js';
import { compose, permutations, SymmetricGroup } from './symmetric.js';
import { BatchCursor } from './batches.js';

describe('Z_p tasks', () => {
  it('grid is row-major with tokens [a, b, p] and the right labels', () => {
    const p = 7;
    const add = makeTask('mod_add', p), sub = makeTask('mod_sub', p), mul = makeTask('mod_mul', p);
    expect(add.gridSize).toBe(49);
    expect(add.vocab).toBe(8);
    expect(add.classes).toBe(7);
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) {
        const i = a * p + b;
        expect(Array.from(add.tokens.slice(i * 3, i * 3 + 3))).toEqual([a, b, p]);
        expect(add.labels[i]).toBe((a + b) % p);
        expect(sub.labels[i]).toBe((((a - b) % p) + p) % p);
        expect(mul.labels[i]).toBe((a * b) % p);
      }
  });

  it('every answer of addition has exactly p pairs', () => {
    const task = makeTask('mod_add', 11);
    const counts = new Array(11).fill(0);
    task.labels.forEach((y) => counts[y]++);
    expect(counts.every((c) => c === 11)).toBe(true);
  });
});

describe('symmetric groups', () => {
  it('elements are lexicographic with the identity first', () => {
    const perms = permutations(3);
    expect(perms).toEqual([[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]);
  });

  it('composition is (g.h)(i) = g(h(i)), associative, with identity 0 and inverses', () => {
    const G = new SymmetricGroup(4);
    expect(G.order).toBe(24);
    const g = G.elements[5], h = G.elements[17];
    expect(G.elements[G.multiply(5, 17)]).toEqual(h.map((hi) => g[hi]));
    expect(compose([1, 2, 0], [1, 0, 2])).toEqual([2, 1, 0]);
    fc.assert(
      fc.property(fc.nat({ max: 23 }), fc.nat({ max: 23 }), fc.nat({ max: 23 }), (a, b, c) => {
        expect(G.multiply(G.multiply(a, b), c)).toBe(G.multiply(a, G.multiply(b, c)));
        expect(G.multiply(0, a)).toBe(a);
        expect(G.multiply(a, 0)).toBe(a);
      }),
    );
  });

  it('sym task labels are the composition table', () => {
    const task = makeTask('sym', 3);
    expect(task.classes).toBe(6);
    expect(task.vocab).toBe(7);
    const G = new SymmetricGroup(3);
    for (let i = 0; i < task.gridSize; i++) expect(task.labels[i]).toBe(G.multiply(Math.floor(i / 6), i % 6));
  });
});

describe('split and batches', () => {
  it('split is a seeded partition with floor(frac * n) training examples', () => {
    const s = makeSplit(97 * 97, 0.3, 42);
    expect(s.train.length).toBe(Math.floor(0.3 * 9409));
    const all = [...s.train, ...s.validation].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 9409 }, (_, i) => i));
    expect(Array.from(makeSplit(9409, 0.3, 42).train)).toEqual(Array.from(s.train));
    expect(Array.from(makeSplit(9409, 0.3, 43).train)).not.toEqual(Array.from(s.train));
  });

  it('batches cover each epoch once, keep the short last batch, and resume from state', () => {
    const cursor = new BatchCursor(10, 4, 5);
    const epoch = [cursor.next(), cursor.next(), cursor.next()];
    expect(epoch.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(epoch.flatMap((b) => Array.from(b)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const state = JSON.parse(JSON.stringify(cursor.getState()));
    const resumed = new BatchCursor(10, 4, state);
    for (let i = 0; i < 7; i++) expect(Array.from(resumed.next())).toEqual(Array.from(cursor.next()));
  });

  it('gather builds engine inputs from grid indices', () => {
    const task = makeTask('mod_add', 5);
    const { tokens, labels } = gather(task, [7, 0]);
    expect(Array.from(tokens)).toEqual([1, 2, 5, 0, 0, 5]);
    expect(Array.from(labels)).toEqual([3, 0]);
  });
});
