/**
 * Renders a paper's plots (src/paper/paper.ts `Plot`: a vega-lite spec and its rows) to SVG in Node, without a
 * browser: vega-lite compiles the spec to vega, whose headless view writes SVG (text widths are estimated, so
 * the output depends only on the spec and the data). The rows are kept beside it as CSV (d3-dsv).
 */
import { csvFormat } from 'd3-dsv';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Plot } from '../paper/paper.js';

export interface RenderedPlot {
  file: string;
  title: string;
  caption: string;
  svg: string;
  /** The vega-lite spec with its rows inline (open it in the vega editor to re-plot). */
  spec: string;
  csv: string;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export function fullSpec(plot: Plot): TopLevelSpec {
  // Legend labels in full: a truncated label ("grokking: validati...") says nothing.
  return { $schema: SCHEMA, title: plot.title, ...plot.spec, data: { values: plot.rows }, config: { legend: { labelLimit: 0 } } } as TopLevelSpec;
}

export async function renderPlot(plot: Plot): Promise<RenderedPlot> {
  const spec = fullSpec(plot);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const columns = [...new Set(plot.rows.flatMap((r) => Object.keys(r)))];
    return { file: plot.file, title: plot.title, caption: plot.caption, svg, spec: `${JSON.stringify(spec, null, 2)}\n`, csv: `${csvFormat(plot.rows, columns)}\n` };
  } finally {
    view.finalize();
  }
}

export async function renderPlots(plots: readonly Plot[]): Promise<RenderedPlot[]> {
  const out: RenderedPlot[] = [];
  for (const p of plots) out.push(await renderPlot(p));
  return out;
}
