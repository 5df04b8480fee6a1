/**
 * Where a paper's folders are: its run stores (`runs/`), committed records (`fixtures/records/`) and reports
 * (`reports/`). The default paper's sit at the top of each, as they did before there was a second paper; every
 * other paper's sit in a folder named by its id (`runs/progress-measures/paper`, `reports/progress-measures`).
 */
import { join, resolve } from 'node:path';
import { DEFAULT_PAPER } from '../papers/index.js';

type PaperRef = { readonly id: string };

const under = (root: string, paper: PaperRef) => (paper.id === DEFAULT_PAPER.id ? root : join(root, paper.id));

/** The folder of the paper's run stores: `runs` (the default paper, with `train`'s store itself) or `runs/<id>`. */
export function paperRunsRoot(paper: PaperRef): string {
  return under('runs', paper);
}

/** The run store verify trains a profile into. */
export function runStoreDir(paper: PaperRef, label: string): string {
  return resolve(join(paperRunsRoot(paper), label));
}

/** The committed records of a profile. */
export function committedRecordsDir(paper: PaperRef, label: string): string {
  return resolve(join(under(join('fixtures', 'records'), paper), label));
}

/** A profile's report folder: the paper's folder for its default profile, `<label>/` inside it for another. */
export function reportDirOf(paper: PaperRef & { readonly defaultProfile: string }, label: string): string {
  const top = under('reports', paper);
  return label === paper.defaultProfile ? top : join(top, label);
}

/** The small profile's regression baseline that the claim tests compare with (claims/harness.ts). */
export function smallBaselineFile(paper: PaperRef): string {
  return resolve(join(under('fixtures', paper), 'small-baseline.json'));
}
