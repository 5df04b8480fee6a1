/**
 * A command's flags from one table: each flag's zod schema (what it accepts, its default), its value name and
 * its help line. The parseArgs options, the validation and the help text are all derived from it, so `--help`
 * cannot drift from what the command accepts.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UsageError } from './command.js';

export interface FlagSpec<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** One line (or a few, joined by newlines) of help; the default is appended from the schema. */
  help: string;
  /** The value's name in the help (`N`, `DIR`); absent: a boolean switch. */
  value?: string;
  /** Help heading the flag is listed under (flags keep their table order within a heading). */
  group?: string;
  /** Say nothing about the default (e.g. when the help explains it). */
  hideDefault?: boolean;
}

export type FlagTable = Record<string, FlagSpec>;
export type FlagValues<T extends FlagTable> = { [K in keyof T]: z.output<T[K]['schema']> };

/** A flag that takes a value. */
export function valueFlag<S extends z.ZodType>(value: string, schema: S, help: string, extra: Omit<Partial<FlagSpec>, 'schema'> = {}): FlagSpec<S> {
  return { ...extra, schema, help, value };
}

/** A boolean switch (default false). */
export function switchFlag(help: string, extra: Omit<Partial<FlagSpec>, 'schema'> = {}): FlagSpec<z.ZodDefault<z.ZodBoolean>> {
  return { hideDefault: true, ...extra, schema: z.boolean().default(false), help };
}

/** The schema's default, or undefined (looks through optional and default wrappers). */
function defaultOf(schema: z.ZodType): unknown {
  type Def = { type: string; defaultValue?: unknown; innerType?: z.ZodType };
  let s: z.ZodType | undefined = schema;
  while (s) {
    const def: Def = (s as unknown as { def: Def }).def;
    if (def.type === 'default') return def.defaultValue;
    s = def.type === 'optional' || def.type === 'nullable' ? def.innerType : undefined;
  }
  return undefined;
}

export class Flags<T extends FlagTable> {
  readonly schema: z.ZodObject<{ [K in keyof T]: T[K]['schema'] }>;

  constructor(readonly table: T) {
    this.schema = z.object(Object.fromEntries(Object.entries(table).map(([k, f]) => [k, f.schema]))) as typeof this.schema;
  }

  /** Parses and validates argv; unknown flags, missing values and invalid values are UsageErrors naming the flag. */
  parse(argv: string[], options: { positionals?: boolean } = {}): { values: FlagValues<T>; positionals: string[] } {
    let parsed: { values: Record<string, unknown>; positionals: string[] };
    try {
      parsed = parseArgs({
        args: argv,
        options: {
          ...Object.fromEntries(Object.entries(this.table).map(([k, f]) => [k, { type: f.value ? ('string' as const) : ('boolean' as const) }])),
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
        allowPositionals: options.positionals ?? false,
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { help: _help, ...values } = parsed.values;
    return { values: validateFlags(this.schema, values) as FlagValues<T>, positionals: parsed.positionals };
  }

  /** The flag lines of the help, grouped under their headings, with each default read off its schema. */
  help(): string {
    const entries = Object.entries(this.table);
    const names = entries.map(([k, f]) => `--${k}${f.value ? ` ${f.value}` : ''}`);
    const width = Math.min(26, Math.max(...names.map((n) => n.length))) + 2;
    const lines: string[] = [];
    let group: string | undefined;
    entries.forEach(([, f], i) => {
      if (f.group !== group) {
        if (f.group) lines.push(`${lines.length ? '\n' : ''}${f.group}:`);
        group = f.group;
      }
      const d = f.hideDefault ? undefined : defaultOf(f.schema);
      const text = `${f.help}${d === undefined ? '' : ` (default ${String(d)})`}`.split('\n');
      const name = `  ${names[i]}`;
      const first = name.length + 2 > width + 2 ? [name, `  ${' '.repeat(width)}${text[0]}`] : [`${name.padEnd(width + 2)}${text[0]}`];
      lines.push(...first, ...text.slice(1).map((t) => `  ${' '.repeat(width)}${t}`));
    });
    return lines.join('\n');
  }

  /** The flags with another table merged in (the other's entries win). */
  with<U extends FlagTable>(more: U): Flags<Omit<T, keyof U> & U> {
    return new Flags({ ...this.table, ...more } as Omit<T, keyof U> & U);
  }
}

/** Validates parsed flag values with a zod schema; errors name the flag (`--flag-name`). */
export function validateFlags<S extends z.ZodType>(schema: S, values: unknown): z.infer<S> {
  const result = schema.safeParse(values);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const flag = i.path.length ? `--${String(i.path[0]).replace(/_/g, '-')}` : '(flags)';
      return `${flag}: ${i.message}`;
    });
    throw new UsageError(lines.join('\n'));
  }
  return result.data;
}

/** The same flags listed under one help heading. */
export function inGroup<T extends FlagTable>(group: string, table: T): T {
  return Object.fromEntries(Object.entries(table).map(([k, f]) => [k, { ...f, group }])) as T;
}
