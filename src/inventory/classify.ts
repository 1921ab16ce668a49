/**
 * What a path segment or a query value looks like. A segment that is clearly a value (an integer, a UUID, a
 * hex or base64 token of 16 characters or more, a date or timestamp, an e-mail address) becomes a path
 * parameter at once; any other segment is a literal, learned into a parameter by cardinality (path-trie.ts).
 * Contract: pure functions of their argument.
 */

export type ValueKind = 'integer' | 'uuid' | 'hex' | 'base64' | 'date' | 'timestamp' | 'email' | 'string';

const INTEGER = /^-?\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:0x)?[0-9a-f]{16,}$/i;
const BASE64 = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;
const EMAIL = /^[^@\s/]+@[^@\s/]+\.[^@\s/]+$/;

/** Percent-decoded text, or the text itself when it is not valid percent-encoding. */
function decoded(s: string): string {
  if (!s.includes('%')) return s;
  try { return decodeURIComponent(s); } catch { return s; }
}

/**
 * A base64 or base64url token: 16+ characters of that alphabet, with a digit, and either both letter cases
 * or no word separator. `my-product-name-2024` (lower case, hyphens) stays a literal; `dGhpcyBpcyBhIHRva2Vu`
 * and `a1b2c3d4e5f6g7h8` are tokens.
 */
function isBase64Token(s: string): boolean {
  if (!BASE64.test(s) || !/\d/.test(s) || !/[A-Za-z]/.test(s)) return false;
  return (/[a-z]/.test(s) && /[A-Z]/.test(s)) || !/[-_]/.test(s);
}

/** The kind of a path segment: anything but 'string' makes it a parameter at once. */
export function segmentKind(raw: string): ValueKind {
  const s = decoded(raw);
  if (INTEGER.test(s)) return 'integer';
  if (UUID.test(s)) return 'uuid';
  if (DATE.test(s)) return 'date';
  if (TIMESTAMP.test(s)) return 'timestamp';
  if (EMAIL.test(s)) return 'email';
  if (HEX.test(s)) return 'hex';
  if (isBase64Token(s)) return 'base64';
  return 'string';
}

/** Kinds whose values may be credentials or personal data: never kept as examples. */
export const SECRET_KINDS: ReadonlySet<string> = new Set(['uuid', 'hex', 'base64', 'email']);

/** The type of a query value: integer, number, boolean, or a segment kind (uuid, date, ...), else string. */
export function queryValueType(raw: string): string {
  const s = decoded(raw.replace(/\+/g, ' '));
  if (s === '') return 'empty';
  if (/^-?\d+\.\d+$/.test(s)) return 'number';
  if (s === 'true' || s === 'false') return 'boolean';
  return segmentKind(s);
}

/** `users` -> `user`, `categories` -> `category`, `addresses` -> `address`, `status` -> `status`. */
export function singular(word: string): string {
  if (/ies$/i.test(word) && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(?:ss|us|is)$/i.test(word)) return word;
  if (/(?:sses|xes|ches|shes)$/i.test(word)) return word.slice(0, -2);
  if (/s$/i.test(word) && word.length > 1) return word.slice(0, -1);
  return word;
}

/**
 * The parameter name for a position after the literal `before` (null: at the start of the path or after
 * another parameter): `users` -> `userId`, `order-items` -> `orderItemId`, none -> `id`.
 */
export function parameterName(before: string | null): string {
  if (before === null) return 'id';
  const words = decoded(before).split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  if (words.length === 0 || !/^[A-Za-z]/.test(words[0])) return 'id';
  words[words.length - 1] = singular(words[words.length - 1]);
  const camel = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  return `${camel}Id`;
}
