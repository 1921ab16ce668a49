/**
 * New paths for a test file's temporary files: one folder per test process, removed when the process exits, and a
 * counter so that two paths never collide (`tempPath('out.jsonl')` -> `<folder>/3-out.jsonl`). Nothing is created
 * at the path itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'pcs-test-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

/** A new path in the process's temporary folder, ending in `-name`. */
export function tempPath(name: string): string {
  return join(dir, `${fileNo++}-${name}`);
}
