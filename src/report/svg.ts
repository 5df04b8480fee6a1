/**
 * Minimal SVG charts for the verdict report: line and scatter series on linear axes, with vertical event
 * markers. Pure string output (no DOM), so a chart is reproducible byte for byte from the same records.
 */

export interface Series {
  name: string;
  points: [number, number][];
  /** 'line' (default) joins the points; 'points' draws dots; 'dashed' a dashed line. */
  style?: 'line' | 'points' | 'dashed';
  color?: string;
}

export interface Marker {
  x: number;
  label: string;
  color?: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  markers?: Marker[];
  /** Fixed y range, e.g. [0, 1] for accuracies and FSD; default: the data's range. */
  yRange?: [number, number];
  xRange?: [number, number];
  /** Horizontal reference lines, e.g. the 0.80 sync threshold. */
  hLines?: { y: number; label: string }[];
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "Nice" tick values (1, 2, 5 x 10^k) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function formatTick(t: number): string {
  if (t === 0) return '0';
  if (Math.abs(t) >= 1e4 || Math.abs(t) < 1e-3) return t.toExponential(1);
  return String(Number(t.toPrecision(6)));
}

function extent(values: number[], fallback: [number, number]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return fallback;
  let lo = Math.min(...finite), hi = Math.max(...finite);
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  return [lo, hi];
}

export function renderChart(spec: ChartSpec): string {
  const width = spec.width ?? 640, height = spec.height ?? 360;
  const margin = { left: 64, right: 150, top: 36, bottom: 48 };
  const plotW = width - margin.left - margin.right, plotH = height - margin.top - margin.bottom;
  const allX = spec.series.flatMap((s) => s.points.map((p) => p[0])).concat((spec.markers ?? []).map((m) => m.x));
  const allY = spec.series.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = spec.xRange ?? extent(allX, [0, 1]);
  const [y0, y1] = spec.yRange ?? extent(allY, [0, 1]);
  const sx = (x: number) => margin.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number) => margin.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${margin.left}" y="20" font-size="13" font-weight="bold">${escapeXml(spec.title)}</text>`);
  // Axes and grid.
  for (const t of niceTicks(x0, x1)) {
    const x = sx(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${margin.top + plotH + 14}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  for (const t of niceTicks(y0, y1)) {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t)}</text>`);
  }
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`);
  for (const h of spec.hLines ?? []) {
    if (h.y < y0 || h.y > y1) continue;
    const y = sy(h.y).toFixed(1);
    out.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#999" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${margin.left + plotW - 4}" y="${Number(y) - 3}" text-anchor="end" fill="#666">${escapeXml(h.label)}</text>`);
  }
  // Series, clipped to the plot area.
  out.push(`<clipPath id="plot"><rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}"/></clipPath>`);
  out.push(`<g clip-path="url(#plot)">`);
  spec.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (s.style === 'points') {
      for (const [x, y] of pts) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${color}"/>`);
    } else if (pts.length > 0) {
      const d = pts.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
      const dash = s.style === 'dashed' ? ' stroke-dasharray="6 4"' : '';
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${dash}/>`);
    }
  });
  out.push(`</g>`);
  for (const m of spec.markers ?? []) {
    if (m.x < x0 || m.x > x1) continue;
    const x = sx(m.x).toFixed(1);
    const color = m.color ?? '#555';
    out.push(`<line x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + plotH}" stroke="${color}" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${Number(x) + 3}" y="${margin.top + 10}" fill="${color}">${escapeXml(m.label)}</text>`);
  }
  // Legend.
  spec.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const y = margin.top + 8 + i * 16;
    const x = margin.left + plotW + 10;
    if (s.style === 'points') out.push(`<circle cx="${x + 8}" cy="${y}" r="3" fill="${color}"/>`);
    else out.push(`<line x1="${x}" y1="${y}" x2="${x + 16}" y2="${y}" stroke="${color}" stroke-width="2"${s.style === 'dashed' ? ' stroke-dasharray="4 2"' : ''}/>`);
    out.push(`<text x="${x + 22}" y="${y}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}
