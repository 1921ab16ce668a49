// SyncFileWriter (--out FILE): lines encoded into its slab reach the file in order and whole; an encoder
// that throws leaves no partial line; a write error is reported once and every later line refused.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncFileWriter, FLUSH_BYTES } from '../../src/export/sync-file-writer.js';
import type { JsonLineWriter } from '../../src/export/json-line-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'sync-file-writer-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function line(w: JsonLineWriter, n: number): void {
  w.raw('{"n":');
  w.num(n);
  w.raw(',"s":');
  w.str('x'.repeat(n % 97));
  w.raw('}\n');
}

t.test('many lines across many slab writes arrive whole and in order', async (t) => {
  const path = join(dir, 'many.jsonl');
  const errors: Error[] = [];
  let written = 0;
  const f = new SyncFileWriter(path, (e) => errors.push(e), (n) => { written += n; });
  const count = Math.ceil((3 * FLUSH_BYTES) / 60);
  let refused = 0;
  for (let n = 0; n < count; n++) if (!f.append(line, n)) refused++;
  t.equal(refused, 0, 'every line accepted');
  t.ok(written > 0 && written < count, `lines reported written as the slab is written (${written} before close)`);
  f.close();
  t.equal(written, count, 'every line reported written once, after close');
  const lines = readFileSync(path, 'utf8').split('\n');
  t.equal(lines.pop(), '', 'ends with a newline');
  t.equal(lines.length, count);
  t.ok(lines.every((l, n) => JSON.parse(l).n === n && JSON.parse(l).s.length === n % 97), 'every line parses, in order');
  t.same(errors, []);
  t.equal(f.append(line, 1), false, 'a closed writer refuses lines');
});

t.test('an encoder that throws leaves no trace; a line larger than the slab still arrives whole', async (t) => {
  const path = join(dir, 'throw.jsonl');
  const f = new SyncFileWriter(path, () => {});
  f.append(line, 1);
  const broken = (w: JsonLineWriter): void => {
    w.raw('{"half":');
    throw new Error('boom');
  };
  t.equal(f.append(broken, null), false);
  const body = Buffer.alloc(FLUSH_BYTES * 2 + 5, 0x61);
  f.append((w: JsonLineWriter, b: Buffer) => {
    w.raw('{"b":"');
    w.base64(b);
    w.raw('"}\n');
  }, body);
  f.append(line, 2);
  f.close();
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  t.equal(lines.length, 3);
  t.equal(lines[0].n, 1);
  t.equal(Buffer.from(lines[1].b, 'base64').equals(body), true, 'the large line is intact');
  t.equal(lines[2].n, 2);
});

t.test('a write error is reported once and every later line is refused', async (t) => {
  const errors: Error[] = [];
  let lost = 0;
  let written = 0;
  const f = new SyncFileWriter('/dev/full', (e, n) => { errors.push(e); lost += n; }, (n) => { written += n; });
  let accepted = 0;
  for (let n = 0; n < 20_000; n++) if (f.append(line, n)) accepted++;
  f.close();
  t.equal(errors.length, 1, 'one report');
  t.equal(written, 0, 'nothing reached the file');
  t.equal(lost, accepted, 'every accepted line is reported lost');
  t.match(String(errors[0]), /ENOSPC/);
  t.ok(accepted < 20_000, `lines after the failure are refused (${accepted} accepted before it)`);
});
