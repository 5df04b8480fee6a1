import { describe, expect, it } from 'vitest';
import { describeAdapter, isSoftwareAdapter } from './device.js';

describe('the WebGPU adapter in words', () => {
  it('names the device, vendor and architecture, leaving out the empty fields', () => {
    expect(describeAdapter({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe', description: 'llvmpipe: Mesa 25.0.7' })).toBe('llvmpipe (mesa, software): llvmpipe: Mesa 25.0.7');
    expect(describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: '' })).toBe('hopper (nvidia)');
    expect(describeAdapter({ vendor: '', architecture: '', device: '', description: '' })).toBe('adapter');
  });

  it('tells a CPU implementation from a GPU', () => {
    expect(isSoftwareAdapter('llvmpipe (mesa, software): llvmpipe: Mesa 25.0.7')).toBe(true);
    expect(isSoftwareAdapter('SwiftShader Device (google)')).toBe(true);
    expect(isSoftwareAdapter('NVIDIA H200 (nvidia, hopper): NVIDIA 560.35')).toBe(false);
  });
});
