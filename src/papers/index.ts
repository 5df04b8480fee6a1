/** The papers grokcheck checks: one folder each under src/papers/, listed here (the first is the default). */
import type { AnyPaper } from '../paper/paper.js';
import { circuitSync } from './circuit-sync/index.js';
import { progressMeasuresPaper } from './progress-measures/index.js';

export const PAPERS: readonly AnyPaper[] = [circuitSync, progressMeasuresPaper];

/** The paper a command checks when it is not told (`--paper`). */
export const DEFAULT_PAPER: AnyPaper = PAPERS[0];

export function paperById(id: string): AnyPaper | undefined {
  return PAPERS.find((p) => p.id === id);
}

/** The paper `id` names; an error that lists the papers when none does. */
export function requirePaper(id: string, where: string): AnyPaper {
  const paper = paperById(id);
  if (!paper) throw new UnknownPaperError(`${where}: no paper '${id}'; expected one of ${PAPERS.map((p) => p.id).join(', ')}`);
  return paper;
}

export class UnknownPaperError extends Error {
  override name = 'UnknownPaperError';
}
