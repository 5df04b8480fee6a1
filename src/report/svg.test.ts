import { describe, expect, it } from 'vitest';
import { niceTicks, renderChart } from './svg.js';

describe('svg charts', () => {
  it('nice ticks cover the range with 1-2-5 steps', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 10000, 5)).toEqual([0, 2000, 4000, 6000, 8000, 10000]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it('renders series, markers and escapes text', () => {
    const svg = renderChart({
      title: 'FSD & accuracy <p=97>',
      xLabel: 'step',
      yLabel: 'value',
      yRange: [0, 1],
      series: [
        { name: 'FSD', points: [[0, 0.1], [100, 0.5], [200, NaN], [300, 0.9]] },
        { name: 'val acc', points: [[0, 0], [300, 1]], style: 'points' },
      ],
      markers: [{ x: 150, label: 'sync' }],
      hLines: [{ y: 0.8, label: 'threshold' }],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('FSD &amp; accuracy &lt;p=97&gt;');
    expect(svg).not.toContain('NaN');
    expect((svg.match(/<circle/g) ?? []).length).toBe(3); // two points + legend dot
    expect(svg).toContain('>sync<');
    // x range 0..300: the marker at 150 sits mid-plot (left 64 + 213 = 277).
    expect(svg).toContain('x1="277.0"');
  });
});
