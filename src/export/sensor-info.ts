/**
 * Facts about this sensor that go into every exported trace, read once at start-up.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface SensorInfo {
  /** package.json "name" ("pcap-sensor"). */
  name: string;
  /** package.json "version". */
  version: string;
  /** os.hostname() at start-up. */
  hostName: string;
}

let cached: SensorInfo | null = null;

/**
 * Reads package.json (two levels above this module, in src/export/ and dist/export/ alike) on the
 * first call; later calls return the same object. Falls back to "pcap-sensor"/"0.0.0" if unreadable.
 */
export function sensorInfo(): SensorInfo {
  if (cached !== null) return cached;
  let name = 'pcap-sensor';
  let version = '0.0.0';
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
    if (typeof pkg.name === 'string') name = pkg.name;
    if (typeof pkg.version === 'string') version = pkg.version;
  } catch {
    // keep the fallbacks: the version is informational
  }
  cached = { name, version, hostName: hostname() };
  return cached;
}
