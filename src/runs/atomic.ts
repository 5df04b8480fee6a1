/**
 * Crash-safe file replacement for the run store (shared/spec/design.md, "Runs": training may be killed at any
 * point). A file is written to a temporary name in the same folder, fsynced, renamed over the target (rename(2)
 * is atomic within one file system), and the folder is fsynced so the rename itself survives a power cut.
 * A reader therefore sees either the old file or the complete new one, never a prefix. A writer killed before
 * the rename leaves only a temporary file, recognisable by name (isTempFileName) and removable by the next
 * writer of the run (removeTempFiles), which holds the run's lock.
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

const TEMP_MARK = '.tmp-';

/** `dir/.name.tmp-<pid>-<random>`: hidden, in the target's folder (same file system), unique per attempt. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
}

export function isTempFileName(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARK);
}

/** Writes every byte of `data` to `fd`, looping over short writes. */
export function writeFully(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.byteLength) done += writeSync(fd, data, done, data.byteLength - done);
}

/**
 * fsync a folder so that entries created, renamed or removed in it are durable. Some platforms cannot open or
 * sync a folder (EISDIR/EINVAL/EPERM on Windows and a few file systems); there the rename is still atomic,
 * only its durability across a power cut is weaker, so those errors are tolerated.
 */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (error) {
    if (isTolerableDirSyncError(error)) return;
    throw error;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!isTolerableDirSyncError(error)) throw error;
  } finally {
    closeSync(fd);
  }
}

function isTolerableDirSyncError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM' || code === 'ENOTSUP';
}

/**
 * Atomically replaces `target` by the concatenation of `chunks` (temp file, fsync, rename, fsync folder).
 * On any failure the temporary file is removed and `target` is left as it was.
 */
export function writeFileAtomic(target: string, chunks: string | Uint8Array | readonly Uint8Array[]): void {
  const parts = typeof chunks === 'string' ? [Buffer.from(chunks, 'utf8')] : chunks instanceof Uint8Array ? [chunks] : chunks;
  const temp = tempPathFor(target);
  const fd = openSync(temp, 'wx', 0o644);
  let renamed = false;
  try {
    try {
      for (const part of parts) writeFully(fd, part);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    renamed = true;
    fsyncDir(dirname(target));
  } finally {
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        // Already gone: nothing to clean up.
      }
    }
  }
}

/** Removes temporary files left in `dir` by killed writers; returns their names. Call only while holding the run's lock. */
export function removeTempFiles(dir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!isTempFileName(name)) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  if (removed.length > 0) fsyncDir(dir);
  return removed;
}
