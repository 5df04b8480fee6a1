/**
 * Assembles a paper profile's run set from any RunSource (the live run store, or committed records for
 * `verify --records-only`): plans the profile against the source and attaches each planned run's state,
 * records and stored measurements. Nothing partial is aggregated: claims use only runs whose state is `complete`.
 */
import type { Profile } from '../paper/paper.js';
import type { RoleBase, RunData, RunLookup, RunSet, RunSource } from '../paper/runSet.js';
import type { CoreRecord } from '../schema/record.js';

export function lookupFrom<Rec extends CoreRecord>(source: RunSource<Rec>): RunLookup<Rec> {
  return (id, config) => {
    const run = source.get(id, config);
    return run ? { status: run.status, records: run.records, ...(run.message === undefined ? {} : { message: run.message }) } : undefined;
  };
}

/** `source` reads records in the paper's layout (`Rec`: its CheckpointMeasures.record). */
export function assembleRunSet<R extends RoleBase, P extends Profile<R, Rec>, Rec extends CoreRecord = CoreRecord>(profile: P, source: RunSource<Rec>, experiments?: readonly string[]): RunSet<R, P, Rec> {
  const thePlan = profile.plan(lookupFrom(source), experiments);
  const runs = new Map<string, RunData<R, Rec>>();
  for (const planned of thePlan.runs) {
    const got = source.get(planned.id, planned.config);
    runs.set(planned.key, {
      key: planned.key,
      role: planned.role,
      id: planned.id,
      config: planned.config,
      state: got ? got.status : 'missing',
      records: got?.records ?? [],
      ...(got?.message === undefined ? {} : { message: got.message }),
      ...(got?.wall_s === undefined ? {} : { wall_s: got.wall_s }),
      ...(got?.engine === undefined ? {} : { engine: got.engine }),
      ...(got?.trained_by === undefined ? {} : { trained_by: got.trained_by }),
      measurements: got?.measurements ?? {},
    });
  }
  return { profile, plan: thePlan, runs };
}
