// Tags the installer puts on the task definition revisions and services it changed, and the package version
// they (and the default image tag) name.
import { readFileSync } from 'node:fs';
import type { Tag } from '@aws-sdk/client-ecs';

/** Every installer tag key starts with this; `ecs remove` strips keys with this prefix. */
export const INSTALLER_TAG_PREFIX = 'levoai:pcap-sensor:';
export const TAG_INSTALLED_BY = `${INSTALLER_TAG_PREFIX}installed-by`;
export const TAG_INSTALLED_AT = `${INSTALLER_TAG_PREFIX}installed-at`;
/** All keys `ecs add` sets; `ecs remove` untags exactly these on the service. */
export const INSTALLER_TAG_KEYS: readonly string[] = [TAG_INSTALLED_BY, TAG_INSTALLED_AT];

let cachedVersion: string | undefined;

/** This package's version (package.json two levels up from src/ecs or dist/ecs); "0.0.0" when unreadable. */
export function packageVersion(): string {
  if (cachedVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
      cachedVersion = pkg.version ?? '0.0.0';
    } catch {
      cachedVersion = '0.0.0';
    }
  }
  return cachedVersion;
}

/** Default sidecar image: the sensor image of this package's version. */
export function defaultImage(): string {
  return `levoai/pcap-sensor:${packageVersion()}`;
}

/** The tags `ecs add` sets (tag values allow letters, digits, spaces and _ . : / = + - @). */
export function installerTags(now: Date): Tag[] {
  return [
    { key: TAG_INSTALLED_BY, value: `pcap-sensor ${packageVersion()} ecs add` },
    { key: TAG_INSTALLED_AT, value: now.toISOString() },
  ];
}
