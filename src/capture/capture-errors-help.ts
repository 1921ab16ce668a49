/**
 * The "what to do now" part of live-capture errors: each function returns a CaptureFailure (or a
 * message) whose text tells the user how to fix the problem in their runtime (Docker, Kubernetes,
 * ECS), which interfaces exist, or which architecture the addon was built for.
 * Pure functions of their inputs, so the texts are tested without the failure happening.
 */
import { openSync, readSync, closeSync } from 'node:fs';
import { CaptureFailure } from './errors.js';
import { describeInterfaces, type CaptureInterface } from './interfaces.js';

/** Appended to every permission failure; docs/capture.md repeats it. */
export const NET_RAW_HELP = [
  'The sensor needs the NET_RAW capability (or root) to capture packets. Grant it:',
  '  Docker:      docker run --cap-add=NET_RAW ...',
  '  Kubernetes:  securityContext: { capabilities: { add: ["NET_RAW"] } } on the sensor container',
  '               (and no "drop: [ALL]" without adding NET_RAW back)',
  '  ECS Fargate: NET_RAW is in the default capability set: do not drop it',
  '               (linuxParameters.capabilities.drop must not list NET_RAW or ALL)',
  '  ECS on EC2:  linuxParameters.capabilities.add: ["NET_RAW"] in the sensor container definition',
  'If the process runs as a non-root user, the capability must also be in its ambient or file capabilities',
  '(e.g. setcap cap_net_raw+eip on the node binary).',
].join('\n');

export function permissionFailure(device: string, cause: CaptureFailure): CaptureFailure {
  return new CaptureFailure('permission', `${cause.message}\n${NET_RAW_HELP}`);
}

export function noSuchInterfaceFailure(device: string, existing: CaptureInterface[]): CaptureFailure {
  const list = existing.length > 0 ? describeInterfaces(existing) : '(none found)';
  return new CaptureFailure('no-such-device',
    `no such interface: ${device}. Interfaces that exist here (pass one or more with --interface, ` +
    `or none to capture every interface that is up and has an address):\n${list}`);
}

export function interfaceDownFailure(device: string, cause: CaptureFailure): CaptureFailure {
  return new CaptureFailure('interface-down',
    `${cause.message}\nBring it up (ip link set ${device} up) or leave it out of --interface.`);
}

export function noInterfacesFailure(existing: CaptureInterface[]): CaptureFailure {
  const list = existing.length > 0 ? describeInterfaces(existing) : '(none found)';
  return new CaptureFailure('no-such-device',
    `no interface is up with an address, so there is nothing to capture. Interfaces seen:\n${list}`);
}

/**
 * An invalid filter: names the user's expression, and the full one when the sensor added its
 * self-exclusion clauses (so the libpcap message's context is visible).
 */
export function filterFailure(userFilter: string | undefined, installed: string, cause: CaptureFailure): CaptureFailure {
  const user = userFilter?.trim() ?? '';
  const extra = installed !== user
    ? ` (the sensor installs "${installed}": your filter, and clauses that keep its own export traffic out)`
    : '';
  return new CaptureFailure('filter', `invalid --filter "${user}": ${cause.message}${extra}. See pcap-filter(7).`);
}

/** ELF e_machine values of the architectures Node runs on, named as process.arch names them. */
const ELF_MACHINES: Record<number, string> = {
  0x03: 'ia32', 0x08: 'mips', 0x14: 'ppc', 0x15: 'ppc64', 0x16: 's390x', 0x28: 'arm',
  0x3e: 'x64', 0xb7: 'arm64', 0xf3: 'riscv64', 0x102: 'loong64',
};

/** The architecture a shared object was built for, read from its ELF header; undefined if not ELF. */
export function elfArchitecture(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(20);
    if (readSync(fd, head, 0, 20, 0) < 20) return undefined;
    if (head.readUInt32BE(0) !== 0x7f454c46) return undefined; // "\x7fELF"
    const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
    return ELF_MACHINES[machine] ?? `ELF machine 0x${machine.toString(16)}`;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Message for an addon that cannot be loaded: the loader's message, plus the architecture of the
 * file versus this process's when they differ (e.g. an arm64 image run on x64).
 */
export function addonLoadMessage(loaderMessage: string, addonPath: string, processArch: string = process.arch): string {
  const built = elfArchitecture(addonPath);
  if (built !== undefined && built !== processArch) {
    return `${loaderMessage}. The addon ${addonPath} was built for ${built} but this process runs on ` +
      `${processArch}: use the image built for ${processArch} (docker --platform linux/${processArch === 'x64' ? 'amd64' : processArch}) ` +
      `or rebuild the addon on this machine (npm run build:native)`;
  }
  return loaderMessage;
}
