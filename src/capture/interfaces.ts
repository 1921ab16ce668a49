/** Capture interfaces that exist (pcap_findalldevs), for "no such interface" messages. */
import { loadAddon, type NativeInterface } from './native.js';

export type CaptureInterface = NativeInterface;

export function listInterfaces(): CaptureInterface[] {
  return loadAddon().listInterfaces();
}

/** One line per interface, e.g. "eth0 (up, running) 10.0.0.2", for CLI error messages. */
export function describeInterfaces(list: CaptureInterface[] = listInterfaces()): string {
  return list
    .map((i) => {
      const flags = [i.up ? 'up' : 'down', i.running ? 'running' : '', i.loopback ? 'loopback' : '']
        .filter(Boolean)
        .join(', ');
      const addrs = i.addresses.map((a) => a.address).join(' ');
      return `${i.name} (${flags})${addrs ? ' ' + addrs : ''}`;
    })
    .join('\n');
}
