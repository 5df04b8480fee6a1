import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AblationResultSchema } from '../papers/circuit-sync/ablation.js';
import { makeTempDir } from '../testing/tempDir.js';
import { readMeasurement, readMeasurements, writeMeasurement } from './measurements.js';

const ablation = { name: 'ablation', schema: AblationResultSchema };

describe('measurements stored beside a run', () => {
  it('stores a result next to the run and reads it back; a malformed file is an error naming it', () => {
    const dir = makeTempDir('gc-measurement-');
    expect(readMeasurement(dir, ablation)).toBeUndefined();
    expect(readMeasurements(dir, [ablation])).toEqual({});
    const result = { run_id: 'abcdef0123456789', step: 5, baseline_accuracy: 0.99, zeroed_accuracy: { 'block0.mlp': 0.9 }, engine: 'x' };
    writeMeasurement(dir, 'ablation', result);
    expect(readMeasurement(dir, ablation)).toEqual(result);
    expect(readMeasurements(dir, [ablation])).toEqual({ ablation: result });
    writeFileSync(join(dir, 'ablation.json'), JSON.stringify({ ...result, step: -1 }));
    expect(() => readMeasurement(dir, ablation)).toThrow(/ablation\.json: not a valid ablation result: step/);
    writeFileSync(join(dir, 'ablation.json'), '{"run_id":');
    expect(() => readMeasurement(dir, ablation)).toThrow(/ablation\.json: not JSON/);
  });
});
