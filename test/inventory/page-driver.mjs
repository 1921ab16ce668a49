// Drives one page of a running headless Chromium over the DevTools protocol, for the HTML report tests.
//
// Usage: node --experimental-websocket page-driver.mjs DEVTOOLS_PORT URL STEPS.json
// Opens a tab on about:blank, enables the Runtime, Log and Network domains, then navigates to URL (so every
// request of the page, the document's own included, is seen), waits for the load, and runs STEPS in order:
//   {"eval": "expression"}                          its value (promises awaited; returned by value)
//   {"waitFor": "expression", "timeoutMs": 30000}   polls every 100 ms until the value is truthy
//   {"signal": "name"}                              writes `page-driver: name` on stderr (the test acts on it)
// Prints one JSON object on stdout: { results: [...], requests: [url, ...], consoleErrors: [...],
// exceptions: [...] } and closes the tab. Exit 1 (message on stderr) when a step throws or times out.
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { openTab } from '../util/devtools.mjs';

const [port, url, stepsFile] = process.argv.slice(2);
const steps = JSON.parse(readFileSync(stepsFile, 'utf8'));
/** @type {{ results: unknown[], requests: string[], consoleErrors: string[], exceptions: string[] }} */
const out = { results: [], requests: [], consoleErrors: [], exceptions: [] };
let loaded = false;
const { send, evaluate, close } = await openTab(port, 'about:blank', (method, params) => {
  if (method === 'Network.requestWillBeSent') {
    out.requests.push(params.request.url);
  } else if (method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'warning')) {
    out.consoleErrors.push(params.args.map((a) => a.value ?? a.description).join(' '));
  } else if (method === 'Log.entryAdded' && params.entry.level === 'error') {
    out.consoleErrors.push(params.entry.text);
  } else if (method === 'Runtime.exceptionThrown') {
    out.exceptions.push(params.exceptionDetails.exception?.description ?? params.exceptionDetails.text);
  } else if (method === 'Page.loadEventFired') {
    loaded = true;
  }
});

let code = 0;
try {
  for (const d of ['Runtime', 'Log', 'Network', 'Page']) await send(`${d}.enable`);
  await send('Page.navigate', { url });
  for (let i = 0; i < 600 && !loaded; i++) await sleep(50);
  if (!loaded) throw new Error(`${url} did not load in 30 s`);
  for (const step of steps) {
    if (step.signal !== undefined) {
      process.stderr.write(`page-driver: ${step.signal}\n`);
      out.results.push(null);
    } else if (step.eval !== undefined) {
      out.results.push(await evaluate(step.eval));
    } else {
      const deadline = Date.now() + (step.timeoutMs ?? 30_000);
      let v;
      while (!(v = await evaluate(step.waitFor))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${step.waitFor}`);
        await sleep(100);
      }
      out.results.push(v);
    }
  }
} catch (err) {
  process.stderr.write(`page-driver: ${err instanceof Error ? err.message : String(err)}\n`);
  code = 1;
}
process.stdout.write(JSON.stringify(out) + '\n');
await close();
process.exit(code);
