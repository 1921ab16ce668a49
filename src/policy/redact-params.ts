/**
 * Redaction of `name=value&name=value` text: query strings of request targets and
 * application/x-www-form-urlencoded bodies. A parameter whose name, percent-decoded ('+' = space)
 * and normalised (lower case, '-' and '_' removed), is in the field set keeps its name; its value
 * becomes `[REDACTED:<fingerprint of the raw value>]` (brackets and colon are written as is; URL and
 * form parsers accept them). Empty values stay empty. Separators and every other byte are kept.
 */
import type { Fingerprinter } from './fingerprint.js';
import { normaliseFieldName } from './sensitive-names.js';

/** Parameter names longer than this are never compared. */
const MAX_PARAM_NAME_LENGTH = 256;
const PLUS = /\+/g;

function decodeName(raw: string): string {
  const spaced = raw.indexOf('+') < 0 ? raw : raw.replace(PLUS, ' ');
  if (spaced.indexOf('%') < 0) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced; // malformed escapes: compare the raw name
  }
}

export interface ParamsRedaction {
  text: string;
  /** Number of values hidden. */
  fields: number;
}

/** Hides the values of matching parameters in `text` (no leading '?'). Null when nothing was hidden. */
export function redactParams(text: string, fields: ReadonlySet<string>, fp: Fingerprinter): ParamsRedaction | null {
  const parts = text.split('&');
  let count = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1 || eq > MAX_PARAM_NAME_LENGTH) continue;
    const rawName = part.slice(0, eq);
    if (!fields.has(normaliseFieldName(decodeName(rawName)))) continue;
    parts[i] = rawName + '=' + fp.marker(part.slice(eq + 1));
    count++;
  }
  return count === 0 ? null : { text: parts.join('&'), fields: count };
}

/** The request target with sensitive query values hidden, or null when nothing was hidden. */
export function redactTargetQuery(target: string, fields: ReadonlySet<string>, fp: Fingerprinter): ParamsRedaction | null {
  const q = target.indexOf('?');
  if (q < 0 || q === target.length - 1) return null;
  const r = redactParams(target.slice(q + 1), fields, fp);
  return r === null ? null : { text: target.slice(0, q + 1) + r.text, fields: r.fields };
}

/**
 * A form body with sensitive values hidden, or null. Bytes are handled as latin1 so every byte
 * round-trips unchanged; names are percent-decoded as UTF-8 for comparison only.
 */
export function redactFormBody(body: Buffer, fields: ReadonlySet<string>, fp: Fingerprinter): { bytes: Buffer; fields: number } | null {
  const r = redactParams(body.toString('latin1'), fields, fp);
  return r === null ? null : { bytes: Buffer.from(r.text, 'latin1'), fields: r.fields };
}
