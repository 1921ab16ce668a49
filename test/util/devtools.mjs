// A DevTools protocol client for a running headless Chromium (started with --remote-debugging-port=0 and
// --user-data-dir): used by test/inventory/page-driver.mjs and fixtures/lenient/chromium-client.mjs.
// Needs Node's global WebSocket (`node --experimental-websocket` on Node 20).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The DevTools port Chromium chose, read from PROFILE_DIR/DevToolsActivePort (which must exist). */
export function devToolsPort(profileDir) {
  return readFileSync(join(profileDir, 'DevToolsActivePort'), 'utf8').split('\n')[0];
}

/**
 * Opens a new tab on `url` and connects to it. `onEvent(method, params)` receives every protocol event.
 * Returns { id, send(method, params) -> result (rejects on a protocol error), evaluate(expression) -> value
 * (promises awaited, returned by value; rejects when the expression throws), close() } where close() ends the
 * connection and closes the tab.
 * @param {string} port @param {string} url
 * @param {(method: string, params: any) => void} [onEvent]
 */
export async function openTab(port, url, onEvent = () => {}) {
  const tab = await (await fetch(`http://127.0.0.1:${port}/json/new?${url}`, { method: 'PUT' })).json();
  const ws = new WebSocket(tab.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  let nextId = 1;
  const pending = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data));
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    } else if (msg.method) {
      onEvent(msg.method, msg.params);
    }
  };
  function send(method, params = {}) {
    const id = nextId++;
    ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => pending.set(id, (msg) => (msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result))));
  }
  async function evaluate(expression) {
    const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value;
  }
  async function close() {
    ws.close();
    await fetch(`http://127.0.0.1:${port}/json/close/${tab.id}`).catch(() => {});
  }
  return { id: tab.id, send, evaluate, close };
}
