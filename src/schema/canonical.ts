/**
 * Canonical JSON and the content address of a run (shared/spec/design.md, "Runs").
 *
 * A run is named by sha256(canonicalJson(config)). For that name to be a function of the config's *meaning*
 * and not of how an object happened to be built, the serialisation is canonical (the scheme of RFC 8785):
 * - object keys sorted by UTF-16 code units (Array.prototype.sort's default order, not V8's property order,
 *   which puts integer-like keys such as "10" before "9" whatever the insertion order);
 * - no whitespace;
 * - numbers in ECMAScript's shortest round-trip form (Number.prototype.toString: the shortest decimal that
 *   parses back to the same double); -0 comes out as 0, which is right for configs (0 and -0 mean the same);
 * - strings escaped as JSON.stringify does (deterministic, well-formed since ES2019);
 * - a property whose value is `undefined` is absent (as in JSON.stringify and zod's optional fields).
 * Anything JSON cannot carry faithfully (NaN, +-Infinity, bigint, functions, symbols, Dates, Maps, typed
 * arrays, class instances, cycles) is an error naming its path, never a silent `null`.
 */
import { createHash } from 'node:crypto';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export class CanonicalJsonError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'CanonicalJsonError';
  }
}

export interface CanonicalJsonOptions {
  /**
   * What to do with NaN and +-Infinity. `reject` (default; always used for config hashes) throws;
   * `string` writes them as the strings "NaN", "Infinity", "-Infinity" (read them back with
   * `JsonNumberSchema` of jsonNumber.ts), for records where a diverged loss is data, not a bug.
   */
  nonFinite?: 'reject' | 'string';
}

/** The canonical JSON text of `value` (see the module comment for the rules). */
export function canonicalJson(value: unknown, options: CanonicalJsonOptions = {}): string {
  const nonFinite = options.nonFinite ?? 'reject';
  const ancestors = new Set<object>();

  const write = (v: unknown, path: string): string => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'boolean':
        return v ? 'true' : 'false';
      case 'string':
        return JSON.stringify(v);
      case 'number':
        // Number.prototype.toString: shortest round-trip digits, and "0" for -0.
        if (Number.isFinite(v)) return String(v);
        if (nonFinite === 'string') return JSON.stringify(String(v));
        throw new CanonicalJsonError(path, `${v} is not representable in JSON`);
      case 'object':
        break;
      default:
        throw new CanonicalJsonError(path, `a ${typeof v} is not representable in JSON`);
    }
    const obj = v as object;
    if (ancestors.has(obj)) throw new CanonicalJsonError(path, 'circular reference');
    ancestors.add(obj);
    try {
      if (Array.isArray(obj)) {
        const items = obj.map((item, i) => {
          if (item === undefined) throw new CanonicalJsonError(`${path}[${i}]`, 'undefined array element');
          return write(item, `${path}[${i}]`);
        });
        return `[${items.join(',')}]`;
      }
      const proto = Object.getPrototypeOf(obj);
      if (proto !== Object.prototype && proto !== null) {
        const kind = (obj as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        throw new CanonicalJsonError(path, `a ${kind} is not a plain JSON object`);
      }
      const record = obj as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const member = record[key];
        if (member === undefined) continue;
        members.push(`${JSON.stringify(key)}:${write(member, `${path}.${key}`)}`);
      }
      return `{${members.join(',')}}`;
    } finally {
      ancestors.delete(obj);
    }
  };

  return write(value, '(root)');
}

/** Hex sha256 of a string's UTF-8 bytes. */
export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Length of a run id: the first 16 hex digits (64 bits) of the config hash, the run's folder name. */
export const RUN_ID_LENGTH = 16;

export interface ContentAddress {
  /** Full hex sha256 of the canonical JSON (kept in config.json). */
  hash: string;
  /** The first RUN_ID_LENGTH hex digits: the run's folder name. */
  id: string;
  /** The canonical JSON that was hashed. */
  canonical: string;
}

/** The content address of a config-like value: sha256 of its canonical JSON (non-finite numbers rejected). */
export function contentAddress(value: unknown): ContentAddress {
  const canonical = canonicalJson(value);
  const hash = sha256Hex(canonical);
  return { hash, id: runIdOfHash(hash), canonical };
}

export function runIdOfHash(hash: string): string {
  return hash.slice(0, RUN_ID_LENGTH);
}
