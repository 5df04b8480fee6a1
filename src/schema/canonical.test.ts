import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, CanonicalJsonError, contentAddress, RUN_ID_LENGTH, type JsonValue } from './canonical.js';

/** JSON.parse gives +0 for "0"; canonical output writes -0 as 0, so compare with -0 folded to +0. */
function foldNegativeZero(value: JsonValue): JsonValue {
  if (typeof value === 'number') return value === 0 ? 0 : value;
  if (Array.isArray(value)) return value.map(foldNegativeZero);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, foldNegativeZero(v)]));
  return value;
}

/** Rebuilds every object of `value` with its keys inserted in an order drawn from `rng`. */
function shuffleKeys(value: JsonValue, rng: () => number): JsonValue {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, rng));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  // fromEntries defines own properties, so a key named "__proto__" stays a key.
  return Object.fromEntries(keys.map((k) => [k, shuffleKeys(value[k], rng)]));
}

function seededRng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Paths to every leaf (a non-container value, or an empty container) of `value`. */
function leafPaths(value: JsonValue, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value) && value.length > 0) return value.flatMap((v, i) => leafPaths(v, [...path, i]));
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0)
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]));
  return [path];
}

/** A JSON value surely different from `leaf` (and not equal to it after canonicalisation). */
function differentLeaf(leaf: JsonValue): JsonValue {
  if (typeof leaf === 'number') return leaf === 0 ? 1 : -leaf;
  if (typeof leaf === 'string') return `${leaf}x`;
  if (typeof leaf === 'boolean') return !leaf;
  return 0;
}

function withLeaf(value: JsonValue, path: (string | number)[], leaf: JsonValue): JsonValue {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? withLeaf(v, rest, leaf) : v));
  const obj = value as Record<string, JsonValue>;
  return { ...obj, [head]: withLeaf(obj[head as string], rest, leaf) };
}

/** The text outside string literals (where canonical JSON must have no whitespace). */
function outsideStrings(json: string): string {
  return json.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

const jsonValue = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<JsonValue>;

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code unit, not by insertion or V8 integer-key order', () => {
    const value = { b: 1, a: [true, null, 'x'], '9': 0, '10': 0, z: { d: 1, c: 2 }, é: 1, '\u{1F600}': 1, '\uFFFD': 1 };
    // "10" < "9" by code unit; U+1F600 is the surrogate pair D83D DE00, which sorts before U+FFFD.
    expect(canonicalJson(value)).toBe('{"10":0,"9":0,"a":[true,null,"x"],"b":1,"z":{"c":2,"d":1},"é":1,"\u{1F600}":1,"\uFFFD":1}');
  });

  it('writes numbers in shortest round-trip form and -0 as 0', () => {
    expect(canonicalJson([0.1, 1 / 3, 1e21, 1e-7, 5e-324, -0, 100, 2 ** 53 + 2])).toBe(
      '[0.1,0.3333333333333333,1e+21,1e-7,5e-324,0,100,9007199254740994]',
    );
  });

  it('leaves out undefined properties but rejects what JSON cannot carry, naming the path', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const cases: [unknown, string][] = [
      [{ a: { b: NaN } }, '(root).a.b'],
      [{ a: [1, Infinity] }, '(root).a[1]'],
      [{ a: 1n }, '(root).a'],
      [{ when: new Date(0) }, '(root).when'],
      [{ m: new Map() }, '(root).m'],
      [{ t: new Float32Array(2) }, '(root).t'],
      [{ f: () => 1 }, '(root).f'],
      [[1, undefined], '(root)[1]'],
      [cyclic, '(root).self'],
    ];
    for (const [value, path] of cases) {
      let thrown: unknown;
      try {
        canonicalJson(value);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, path).toBeInstanceOf(CanonicalJsonError);
      expect((thrown as CanonicalJsonError).path).toBe(path);
    }
  });

  it('shares an object referenced twice (that is not a cycle)', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('writes non-finite numbers as strings only when asked', () => {
    expect(canonicalJson({ loss: NaN, hi: Infinity, lo: -Infinity }, { nonFinite: 'string' })).toBe(
      '{"hi":"Infinity","lo":"-Infinity","loss":"NaN"}',
    );
  });

  it('round-trips through JSON.parse, is idempotent and has no whitespace outside strings (property)', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const text = canonicalJson(value);
        const reparsed = JSON.parse(text) as JsonValue;
        expect(foldNegativeZero(reparsed)).toEqual(foldNegativeZero(value));
        expect(canonicalJson(reparsed)).toBe(text);
        expect(outsideStrings(text)).not.toMatch(/\s/);
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on key insertion order (property)', () => {
    fc.assert(
      fc.property(jsonValue, fc.integer(), (value, seed) => {
        expect(canonicalJson(shuffleKeys(value, seededRng(seed)))).toBe(canonicalJson(value));
      }),
      { numRuns: 300 },
    );
  });
});

describe('contentAddress', () => {
  const config = {
    task: { kind: 'mod_add', n: 97, train_frac: 0.3, split_seed: 42 },
    model: { vocab: 98, classes: 97, d_model: 128, n_heads: 4, d_mlp: 512, n_layers: 2, variant: 'standard' },
    optimizer: { kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 1 },
    batch_seed: 42,
    schedule: { lambda_high: 5, trigger: 'fsd' },
    fork: { parent: '0123456789abcdef', step: 1200 },
  };

  it('is a 64-digit sha256 whose first 16 digits are the run id', () => {
    const address = contentAddress(config);
    expect(address.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(address.id).toBe(address.hash.slice(0, RUN_ID_LENGTH));
    expect(address.canonical).toBe(canonicalJson(config));
  });

  it('changes with every field of a run config', () => {
    const base = contentAddress(config).hash;
    const hashes = new Set([base]);
    for (const path of leafPaths(config as JsonValue)) {
      const leaf = path.reduce<JsonValue>((v, k) => (v as Record<string, JsonValue>)[k as string], config as JsonValue);
      const changed = contentAddress(withLeaf(config as JsonValue, path, differentLeaf(leaf))).hash;
      expect(changed, path.join('.')).not.toBe(base);
      hashes.add(changed);
    }
    // Dropping the fork (a fresh run instead of a fork) is a different run too.
    const { fork: _fork, ...unforked } = config;
    hashes.add(contentAddress(unforked).hash);
    expect(hashes.size).toBe(leafPaths(config as JsonValue).length + 2);
  });

  it('is key-order independent and changes when any leaf changes (property)', () => {
    const objects = fc.dictionary(fc.string({ maxLength: 6 }), jsonValue, { minKeys: 1, maxKeys: 6 }) as fc.Arbitrary<JsonValue>;
    fc.assert(
      fc.property(objects, fc.integer(), fc.nat(), (value, seed, pick) => {
        const hash = contentAddress(value).hash;
        expect(contentAddress(shuffleKeys(value, seededRng(seed))).hash).toBe(hash);
        const paths = leafPaths(value);
        const path = paths[pick % paths.length];
        const leaf = path.reduce<JsonValue>((v, k) => (v as Record<string, JsonValue>)[k as string], value);
        expect(contentAddress(withLeaf(value, path, differentLeaf(leaf))).hash).not.toBe(hash);
      }),
      { numRuns: 300 },
    );
  });
});
