/**
 * The Engine interface: the one seam between the science and the arithmetic (shared/spec/design.md, "Engines").
 * An engine owns one model (config + parameters + AdamW state) and runs the model of shared/spec/model.md.
 * Token batches are Int32Array of length N*3 ([a, b, sep] per example, row-major); labels Int32Array of length N.
 * All activation sites are at the last position (index 2).
 */
import type { ModelConfig, OptimizerConfig } from '../schema/model.js';
import type { Params } from '../model/params.js';
import type { SiteName } from '../schema/sites.js';

/** A long native call (a grid evaluation, the FSD null) stopped by SIGINT, SIGTERM or SIGHUP (native/engine_interrupt.h). */
export class InterruptedError extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}

/** The addon's error for an interrupted call as an InterruptedError; any other error unchanged. */
export function asInterrupted(error: unknown): unknown {
  const m = error instanceof Error ? /interrupted by (SIG[A-Z]+)/.exec(error.message) : null;
  return m ? new InterruptedError(m[1]) : error;
}

/** A component whose output can be zeroed: block l's attention or MLP (its whole output, every position). */
export interface Component {
  layer: number;
  kind: 'attn' | 'mlp';
}

export interface EvalRequest {
  tokens: Int32Array;
  labels: Int32Array;
  /** Sites to capture; each capture is [N, units] row-major. */
  capture?: SiteName[];
  /** Replace block `layer`'s MLP hidden (post-GELU) at the last position by `values` ([N, d_mlp]) and finish the pass. */
  override?: { layer: number; values: Float32Array };
  /** Components whose output is zeroed in this evaluation. */
  zero?: Component[];
  /** Return the logits ([N, classes]). */
  logits?: boolean;
}

/**
 * Finishing the last block from its MLP hidden at the last position (the restricted-logit loss without a second
 * full forward pass): x_out = residual + hidden @ W_out + b_out, logits = LN_f(x_out) @ W_U + b_U, with the
 * loss and accuracy against `labels`. `residual` is the last block's `resid.mid` capture ([N, d_model]) and
 * `hidden` the MLP hidden to use ([N, d_mlp]); the result equals `evaluate` with that hidden as its override.
 */
export interface TailRequest {
  residual: Float32Array;
  hidden: Float32Array;
  labels: Int32Array;
  logits?: boolean;
}

export interface EvalResult {
  /** Mean cross-entropy over the N examples. */
  loss: number;
  /** Fraction of examples whose argmax logit (first index on ties) is the label. */
  accuracy: number;
  logits?: Float32Array;
  captures: Partial<Record<SiteName, Float32Array>>;
}

/** Everything needed to continue training exactly: parameters, both Adam moments, the step count. */
export interface TrainingState {
  params: Params;
  adamM: Params;
  adamV: Params;
  /** Number of optimiser steps taken so far (the t of Adam's bias correction is step + 1 for the next step). */
  step: number;
}

/**
 * What happens to subnormal floats (native/engine_fpmode.h): `flush` (default) sets flush-to-zero and
 * denormals-are-zero in every thread of the engine's arithmetic, which avoids a ~100-cycle assist per subnormal
 * operand on Intel cores when strong weight decay shrinks the weights; `keep` is IEEE gradual underflow, as
 * PyTorch does. Runs that never reach the subnormal range give the same bits under both.
 */
export const DENORMAL_MODES = ['flush', 'keep'] as const;
export type DenormalMode = (typeof DENORMAL_MODES)[number];
export const DEFAULT_DENORMALS: DenormalMode = 'flush';

export interface EngineOptions {
  /** Worker threads for the native engine (default: all cores). Results must not depend on it. */
  threads?: number;
  /** Subnormal floats (native engine; default `flush`). The tfjs engine always keeps them and refuses `flush`. */
  denormals?: DenormalMode;
  /** tfjs backend name (tfjs engine only). */
  backend?: string;
  /**
   * The largest training batch the engine must take (webgpu only, which sizes its buffers for it; default
   * WEBGPU_MAX_BATCH). A full-batch run (batch_size: full) of Nanda et al.'s p = 113 needs 3830.
   */
  maxBatch?: number;
}

export interface Engine {
  readonly kind: CpuEngineKind;
  /** Human-readable description for provenance, e.g. "native (C++ N-API, 2 threads)" or "tfjs (wasm)". */
  readonly description: string;
  readonly config: ModelConfig;
  /** How the engine's arithmetic treats subnormal floats (part of `description`). */
  readonly denormals: DenormalMode;
  /** One AdamW step on the batch; returns the batch loss before the update. */
  trainStep(tokens: Int32Array, labels: Int32Array): number;
  /** Loss and gradients of the batch at the current parameters; changes nothing. */
  gradients(tokens: Int32Array, labels: Int32Array): { loss: number; grads: Params };
  evaluate(request: EvalRequest): EvalResult;
  /** The last block finished from a given MLP hidden (TailRequest); captures are empty. */
  evaluateTail(request: TailRequest): EvalResult;
  getState(): TrainingState;
  setState(state: TrainingState): void;
  /** Changes the optimiser hyper-parameters (weight-decay schedules, forks); keeps the Adam moments and step. */
  setOptimizer(optimizer: OptimizerConfig): void;
  dispose(): void;
}

/**
 * The engine as the training loop, the measurements and the replay use it: every computation asynchronous,
 * because a GPU (WebGPU) hands its results back only through promises. The CPU engines are synchronous
 * `Engine`s seen through `asAsync` (their own tests and benchmarks call them directly).
 */
export interface AsyncEngine {
  readonly kind: EngineKind;
  readonly description: string;
  readonly config: ModelConfig;
  readonly denormals: DenormalMode;
  /** The slots of the lockstep group this engine is one run of (webgpu); absent for an engine of its own. */
  readonly lockstepSlots?: number;
  trainStep(tokens: Int32Array, labels: Int32Array): Promise<number>;
  /**
   * One AdamW step whose loss is not wanted (the training loop's steps): a GPU engine queues it and returns
   * before the device has run it, so the steps between two checkpoints run back to back; the next read waits.
   */
  queueStep(tokens: Int32Array, labels: Int32Array): Promise<void>;
  gradients(tokens: Int32Array, labels: Int32Array): Promise<{ loss: number; grads: Params }>;
  evaluate(request: EvalRequest): Promise<EvalResult>;
  evaluateTail(request: TailRequest): Promise<EvalResult>;
  getState(): Promise<TrainingState>;
  setState(state: TrainingState): Promise<void>;
  setOptimizer(optimizer: OptimizerConfig): void;
  dispose(): void;
}

/** A synchronous engine behind the asynchronous interface: every promise is already settled. */
export function asAsync(engine: Engine): AsyncEngine {
  return {
    get kind() {
      return engine.kind;
    },
    get description() {
      return engine.description;
    },
    get config() {
      return engine.config;
    },
    get denormals() {
      return engine.denormals;
    },
    trainStep: async (tokens, labels) => engine.trainStep(tokens, labels),
    queueStep: async (tokens, labels) => {
      engine.trainStep(tokens, labels);
    },
    gradients: async (tokens, labels) => engine.gradients(tokens, labels),
    evaluate: async (request) => engine.evaluate(request),
    evaluateTail: async (request) => engine.evaluateTail(request),
    getState: async () => engine.getState(),
    setState: async (state) => engine.setState(state),
    setOptimizer: (optimizer) => engine.setOptimizer(optimizer),
    dispose: () => engine.dispose(),
  };
}

/** The engines, the default first: `native` (C++ addon), `tfjs` (reference), `webgpu` (WGSL kernels on a GPU). */
export const ENGINE_KINDS = ['native', 'tfjs', 'webgpu'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];
/** The synchronous (CPU) engines. */
export type CpuEngineKind = Exclude<EngineKind, 'webgpu'>;

export interface EngineCreateArgs {
  model: ModelConfig;
  optimizer: OptimizerConfig;
  params: Params;
  options?: EngineOptions;
}
