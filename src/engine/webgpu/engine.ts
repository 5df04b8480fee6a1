/**
 * `--engine webgpu`: one run on the WebGPU model (model.ts with R = 1) behind the engine interface the training
 * loop, the measurements and the replay use. Many runs per dispatch go through WebGpuModel directly (the
 * lockstep trainer); this engine is the same arithmetic for one run, so a run gives the same records alone and
 * in a group. Subnormal floats are as the adapter treats them (WGSL lets an implementation flush them); the
 * engine reports `keep`, the mode no flag changes, and names the adapter in its description.
 */
import type { AsyncEngine, EngineCreateArgs, EvalRequest, EvalResult, TailRequest, TrainingState } from '../engine.js';
import type { ModelConfig, OptimizerConfig } from '../../schema/model.js';
import { requestWebGpuDevice, type WebGpuDevice } from './device.js';
import { WebGpuModel } from './model.js';

/** The largest batch one step takes: the small profile's full batch (2048) fits. */
export const WEBGPU_MAX_BATCH = 2048;

export async function createWebGpuEngine(args: EngineCreateArgs): Promise<AsyncEngine> {
  if (args.options?.denormals === 'flush')
    throw new Error('the webgpu engine cannot set the float mode: subnormals are as the adapter treats them (use --denormals keep, or leave it out)');
  if (args.options?.backend !== undefined) throw new Error(`--backend is for the tfjs engine; the webgpu engine has none (got '${args.options.backend}')`);
  const gpu = await requestWebGpuDevice();
  return new WebGpuEngine(gpu, args.model, args.optimizer, args.params);
}

class WebGpuEngine implements AsyncEngine {
  readonly kind = 'webgpu' as const;
  readonly denormals = 'keep' as const;
  readonly description: string;
  private readonly model: WebGpuModel;
  private optimizer: OptimizerConfig;

  constructor(
    private readonly gpu: WebGpuDevice,
    readonly config: ModelConfig,
    optimizer: OptimizerConfig,
    params: EngineCreateArgs['params'],
  ) {
    this.model = new WebGpuModel(gpu.device, config, 1, WEBGPU_MAX_BATCH, 1);
    this.model.setRun(0, params);
    this.optimizer = optimizer;
    this.description = `webgpu (WGSL, ${gpu.description}${gpu.software ? '; a CPU implementation' : ''})`;
  }

  async trainStep(tokens: Int32Array, labels: Int32Array): Promise<number> {
    return (await this.model.trainStep(tokens, labels, labels.length, [this.optimizer]))[0];
  }

  async gradients(tokens: Int32Array, labels: Int32Array): Promise<{ loss: number; grads: EngineCreateArgs['params'] }> {
    const [loss] = await this.model.gradients(tokens, labels, labels.length);
    return { loss, grads: await this.model.read('grads', 0) };
  }

  async evaluate(request: EvalRequest): Promise<EvalResult> {
    return (await this.model.evaluate(request))[0];
  }

  async evaluateTail(request: TailRequest): Promise<EvalResult> {
    return (await this.model.evaluateTail(request))[0];
  }

  async getState(): Promise<TrainingState> {
    const { m, v } = await this.model.readMoments(0);
    return { params: await this.model.read('params', 0), adamM: m, adamV: v, step: this.model.steps[0] };
  }

  async setState(state: TrainingState): Promise<void> {
    this.model.setRun(0, state.params, { m: state.adamM, v: state.adamV, step: state.step });
  }

  setOptimizer(optimizer: OptimizerConfig): void {
    this.optimizer = optimizer;
  }

  dispose(): void {
    this.model.dispose();
    this.gpu.device.destroy();
  }
}
