/**
 * Salted fingerprints of secrets: the first FINGERPRINT_HEX_LENGTH hex digits of
 * HMAC-SHA256(salt, secret). Equal secrets give equal fingerprints within one salt, different
 * secrets (almost surely) different ones, and without the salt a fingerprint cannot be used to test
 * guesses of the secret. The salt is 32 random bytes per process unless one is configured (a
 * configured salt makes fingerprints comparable across restarts and sensors; it is then a secret
 * itself).
 */
import { createHmac, randomBytes } from 'node:crypto';

/** Hex digits kept of the HMAC (48 bits). */
export const FINGERPRINT_HEX_LENGTH = 12;
const RANDOM_SALT_BYTES = 32;
/**
 * Recent fingerprints are cached (an HMAC costs a few microseconds; the same token or session
 * cookie repeats on many requests). At most CACHE_MAX_ENTRIES secrets of at most
 * CACHE_MAX_SECRET_LENGTH characters; the cache is emptied when full. The cache holds secrets in
 * process memory only, where the captured packets hold them anyway; it never leaves the process.
 */
const CACHE_MAX_ENTRIES = 1024;
const CACHE_MAX_SECRET_LENGTH = 512;

/** The text that replaces a secret: `[REDACTED:<fingerprint>]`. */
export function redactionMarker(fingerprint: string): string {
  return `[REDACTED:${fingerprint}]`;
}

const MARKER = new RegExp(`^\\[REDACTED:[0-9a-f]{${FINGERPRINT_HEX_LENGTH}}\\]$`);

/** Whether `text` is exactly a marker `redactionMarker` makes: a value hidden by redaction, not one from traffic. */
export function isRedactionMarker(text: string): boolean {
  return MARKER.test(text);
}

export class Fingerprinter {
  private readonly salt: Buffer;
  private readonly cache = new Map<string, string>();

  /** @param salt a configured salt (non-empty), or undefined for a random per-process salt */
  constructor(salt?: string | Buffer) {
    if (salt === undefined) this.salt = randomBytes(RANDOM_SALT_BYTES);
    else {
      const b = typeof salt === 'string' ? Buffer.from(salt, 'utf8') : Buffer.from(salt);
      if (b.length === 0) throw new RangeError('redaction salt must not be empty');
      this.salt = b;
    }
  }

  /** Fingerprint of a secret given as text (hashed as UTF-8) or bytes. */
  fingerprint(secret: string | Buffer): string {
    // Text and bytes are cached apart: the same characters as UTF-8 text and as latin1 bytes differ.
    const cacheable = secret.length <= CACHE_MAX_SECRET_LENGTH;
    const key = !cacheable ? '' : typeof secret === 'string' ? 's' + secret : 'b' + secret.toString('latin1');
    if (cacheable) {
      const hit = this.cache.get(key);
      if (hit !== undefined) return hit;
    }
    const fp = createHmac('sha256', this.salt).update(secret).digest('hex').slice(0, FINGERPRINT_HEX_LENGTH);
    if (cacheable) {
      if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
      this.cache.set(key, fp);
    }
    return fp;
  }

  /** `[REDACTED:<fingerprint of secret>]`. */
  marker(secret: string | Buffer): string {
    return redactionMarker(this.fingerprint(secret));
  }
}
