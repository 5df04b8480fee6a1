/**
 * The native engine: the C++ N-API addon (native/engine*.cc) behind the Engine interface of engine.ts.
 * Parameters cross the boundary as one flat Float32Array in the canonical order of paramSpecs (model.md
 * "Parameters"); this module maps names to slices and checks inputs whose errors are best named in TS terms
 * (parameter names, site names). The addon checks everything that touches memory itself.
 */
import { availableParallelism } from 'node:os';
import { ConfigError, parseConfig } from '../schema/parse.js';
import { ModelConfigSchema, OptimizerConfigSchema, type ModelConfig, type OptimizerConfig } from '../schema/model.js';
import { checkParams, paramSpecs, type Params } from '../model/params.js';
import { nativeAddon } from './addon.js';
import { parseSite, type SiteName } from '../schema/sites.js';
import { asInterrupted, DEFAULT_DENORMALS, type Component, type DenormalMode, type Engine, type EngineCreateArgs, type EvalRequest, type EvalResult, type TailRequest, type TrainingState } from './engine.js';

/** Site and component kinds as numbered by native/engine.cc. */
const SITE_KIND = { 'mlp.pre': 0, 'mlp.post': 1, 'attn.out': 2, 'resid.mid': 3 } as const;
const COMPONENT_KIND = { attn: 0, mlp: 1 } as const;

interface NativeEvalResult {
  loss: number;
  accuracy: number;
  logits?: Float32Array;
  captures: Float32Array[];
}

/** The shape of the addon class (native/engine.cc). */
interface NativeHandle {
  layout(): { name: string; size: number }[];
  info(): { threads: number; simd: string; denormals: DenormalMode };
  trainStep(tokens: Int32Array, labels: Int32Array): number;
  gradients(tokens: Int32Array, labels: Int32Array): { loss: number; grads: Float32Array };
  evaluate(
    tokens: Int32Array,
    labels: Int32Array,
    request: {
      captures: [number, number][];
      zero: [number, number][];
      override: { layer: number; values: Float32Array } | null;
      logits: boolean;
    },
  ): NativeEvalResult;
  evaluateTail(residual: Float32Array, hidden: Float32Array, labels: Int32Array, request: { logits: boolean }): { loss: number; accuracy: number; logits?: Float32Array };
  getState(): { params: Float32Array; adamM: Float32Array; adamV: Float32Array; step: number };
  setState(params: Float32Array, adamM: Float32Array, adamV: Float32Array, step: number): void;
  setOptimizer(optimizer: OptimizerConfig): void;
  dispose(): void;
}

/** Canonical names and sizes, with each tensor's offset in the flat buffer. */
interface Slot {
  name: string;
  offset: number;
  size: number;
}

function slotsOf(config: ModelConfig): Slot[] {
  let offset = 0;
  return paramSpecs(config).map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const slot = { name: spec.name, offset, size };
    offset += size;
    return slot;
  });
}

function flatten(slots: Slot[], params: Params, what: string, config: ModelConfig): Float32Array {
  const problems = checkParams(config, params);
  if (problems.length > 0) throw new ConfigError(`${what} do not fit the model:\n${problems.join('\n')}`);
  const last = slots[slots.length - 1];
  const flat = new Float32Array(last.offset + last.size);
  for (const slot of slots) flat.set(params[slot.name], slot.offset);
  return flat;
}

/** Copies of the tensors of one flat buffer, by name (copies, so callers may keep or mutate them). */
function unflatten(slots: Slot[], flat: Float32Array): Params {
  const params: Params = {};
  for (const slot of slots) params[slot.name] = flat.slice(slot.offset, slot.offset + slot.size);
  return params;
}

function resolveThreads(threads: number | undefined): number {
  const n = threads ?? availableParallelism();
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`threads must be a positive integer, got ${threads}`);
  return n;
}

export function createNativeEngine(args: EngineCreateArgs): Engine {
  const config = parseConfig(ModelConfigSchema, args.model, 'model');
  const optimizer = parseConfig(OptimizerConfigSchema, args.optimizer, 'optimizer');
  const slots = slotsOf(config);
  const initial = flatten(slots, args.params, 'initial parameters', config);
  const threads = resolveThreads(args.options?.threads);
  const addon = nativeAddon() as { NativeEngine: new (...a: unknown[]) => NativeHandle };
  const handle = new addon.NativeEngine(
    config,
    optimizer,
    slots.map((s) => initial.subarray(s.offset, s.offset + s.size)),
    threads,
    args.options?.denormals ?? DEFAULT_DENORMALS,
  );
  // The C++ side lays parameters out on its own; a disagreement with paramSpecs would silently swap tensors.
  const nativeOrder = handle.layout();
  if (nativeOrder.length !== slots.length || nativeOrder.some((e, i) => e.name !== slots[i].name || e.size !== slots[i].size)) {
    handle.dispose();
    throw new Error('native engine parameter layout differs from paramSpecs (rebuild the addon: npm run build)');
  }
  const info = handle.info();
  let disposed = false;
  const live = (): NativeHandle => {
    if (disposed) throw new Error('the native engine has been disposed');
    return handle;
  };

  const components = (zero: Component[] | undefined): [number, number][] =>
    (zero ?? []).map((c) => {
      if (!Number.isInteger(c.layer) || !(c.kind in COMPONENT_KIND))
        throw new ConfigError(`bad component to zero: ${JSON.stringify(c)} (expected {layer, kind: 'attn' | 'mlp'})`);
      return [c.layer, COMPONENT_KIND[c.kind]];
    });

  return {
    kind: 'native',
    description: `native (C++ N-API, ${info.threads} thread${info.threads === 1 ? '' : 's'}, ${info.simd}, denormals ${info.denormals === 'flush' ? 'flushed' : 'kept'})`,
    config,
    denormals: info.denormals,
    trainStep(tokens: Int32Array, labels: Int32Array): number {
      return live().trainStep(tokens, labels);
    },
    gradients(tokens: Int32Array, labels: Int32Array): { loss: number; grads: Params } {
      const { loss, grads } = live().gradients(tokens, labels);
      return { loss, grads: unflatten(slots, grads) };
    },
    evaluate(request: EvalRequest): EvalResult {
      const sites = request.capture ?? [];
      const captures = sites.map((site): [number, number] => {
        const parsed = parseSite(site);
        return [parsed.layer, SITE_KIND[parsed.kind]];
      });
      const override = request.override ?? null;
      if (override && !Number.isInteger(override.layer))
        throw new ConfigError(`override.layer must be an integer, got ${override.layer}`);
      let result: NativeEvalResult;
      try {
        result = live().evaluate(request.tokens, request.labels, {
          captures,
          zero: components(request.zero),
          override,
          logits: request.logits ?? false,
        });
      } catch (error) {
        throw asInterrupted(error);
      }
      const byName: Partial<Record<SiteName, Float32Array>> = {};
      sites.forEach((site, i) => (byName[site] = result.captures[i]));
      return {
        loss: result.loss,
        accuracy: result.accuracy,
        ...(result.logits ? { logits: result.logits } : {}),
        captures: byName,
      };
    },
    evaluateTail(request: TailRequest): EvalResult {
      try {
        const r = live().evaluateTail(request.residual, request.hidden, request.labels, { logits: request.logits ?? false });
        return { loss: r.loss, accuracy: r.accuracy, ...(r.logits ? { logits: r.logits } : {}), captures: {} };
      } catch (error) {
        throw asInterrupted(error);
      }
    },
    getState(): TrainingState {
      const s = live().getState();
      return { params: unflatten(slots, s.params), adamM: unflatten(slots, s.adamM), adamV: unflatten(slots, s.adamV), step: s.step };
    },
    setState(state: TrainingState): void {
      if (!Number.isInteger(state.step) || state.step < 0) throw new ConfigError(`step must be a non-negative integer, got ${state.step}`);
      live().setState(
        flatten(slots, state.params, 'state params', config),
        flatten(slots, state.adamM, 'state adamM', config),
        flatten(slots, state.adamV, 'state adamV', config),
        state.step,
      );
    },
    setOptimizer(next: OptimizerConfig): void {
      live().setOptimizer(parseConfig(OptimizerConfigSchema, next, 'optimizer'));
    },
    dispose(): void {
      if (!disposed) handle.dispose();
      disposed = true;
    },
  };
}
