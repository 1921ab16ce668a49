#!/usr/bin/env node
// Runs the tap suite and prints the plain closing line CI reads: "N passed, N failed[, N skipped]".
// Extra arguments are passed to tap (e.g. a single test file).
import { spawn } from 'node:child_process';

const args = ['tap', '--reporter=tap', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'] });
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString('utf8')).slice(-4096);
});
child.on('close', (code) => {
  const m = /# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?(?:, skip: (\d+))?/.exec(tail)
    ?? /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?/.exec(tail);
  let passed = 0, failed = 0, skipped = 0;
  if (m) {
    passed = Number(m[2] ?? 0);
    failed = Number(m[3] ?? 0);
    skipped = Number(m[4] ?? 0);
  }
  // a crash of the runner itself counts as a failure
  if (code !== 0 && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
  process.exit(code ?? 1);
});
