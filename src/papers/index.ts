/** The papers grokcheck checks: one folder each under src/papers/, listed here (the first is the default). */
import type { AnyPaper } from '../paper/paper.js';
import { circuitSync } from './circuit-sync/index.js';

export const PAPERS: readonly AnyPaper[] = [circuitSync];

export function paperById(id: string): AnyPaper | undefined {
  return PAPERS.find((p) => p.id === id);
}
