/**
 * Redaction of an exchange before it leaves the process (call right before export). Mutates the
 * exchange in place (the sink owns it). What is hidden by default (docs/policy.md has the full list):
 *  - values of credential headers, in requests and responses (redact-headers.ts);
 *  - values of sensitive query parameters in request.target (request.path has no query);
 *  - values of sensitive fields in JSON bodies (anywhere in the document) and in
 *    application/x-www-form-urlencoded bodies, in requests and responses.
 * A redacted body gets new `bytes`; `length` keeps the original decoded entity size and `truncated`
 * its meaning for the capture, so after redaction bytes.length may differ from length.
 * A body still in a Content-Encoding the HTTP stage did not decode cannot be scanned: its bytes are
 * withheld (bytes = null, truncated = true), counted in redaction.bodies_withheld.
 */
import type { ExchangeSink, HeaderList, HttpExchange, MessageBody } from '../http/types.js';
import type { Counters } from '../util/counters.js';
import { Fingerprinter } from './fingerprint.js';
import { redactHeaderValue, type HeaderKind } from './redact-headers.js';
import { JsonKeyFilter } from './json-key-filter.js';
import { looksLikeJson, redactJsonFields } from './redact-json.js';
import { redactFormBody, redactTargetQuery } from './redact-params.js';
import {
  COOKIE_HEADER, DEFAULT_REDACTED_FIELDS, DEFAULT_REDACTED_HEADERS, SCHEME_HEADERS, SET_COOKIE_HEADER,
  normaliseFieldName, normaliseHeaderName,
} from './sensitive-names.js';

export interface RedactorOptions {
  /** false: nothing is redacted (--redaction off). Default true. */
  enabled?: boolean;
  /** More header names to hide (case-insensitive), on top of DEFAULT_REDACTED_HEADERS. */
  extraHeaders?: readonly string[];
  /** More body field / parameter names to hide, on top of DEFAULT_REDACTED_FIELDS. */
  extraBodyFields?: readonly string[];
  /** Fingerprint salt; default: 32 random bytes per process. */
  salt?: string | Buffer;
}

export const REDACTION_COUNTERS = {
  headers: 'redaction.headers',
  queryParams: 'redaction.query_params',
  bodyFields: 'redaction.body_fields',
  bodiesWithheld: 'redaction.bodies_withheld',
  errors: 'redaction.errors',
} as const;

const FORM_TYPE = 'application/x-www-form-urlencoded';

function headerValue(headers: HeaderList, lowerName: string): string | null {
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i][0];
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return headers[i][1];
  }
  return null;
}

function kindOf(lowerName: string): HeaderKind {
  if (SCHEME_HEADERS.includes(lowerName)) return 'scheme';
  if (lowerName === COOKIE_HEADER) return 'cookie';
  if (lowerName === SET_COOKIE_HEADER) return 'set-cookie';
  return 'opaque';
}

export class Redactor {
  readonly enabled: boolean;
  private readonly fp: Fingerprinter;
  private readonly headerKinds = new Map<string, HeaderKind>();
  /** Lengths of the redacted header names: a cheap pre-check before lower-casing a name. */
  private readonly headerNameLengths = new Set<number>();
  private readonly fields = new Set<string>();
  /** Pre-check of JSON bodies: skips the scanner when no key can be one of `fields`. */
  private readonly jsonKeys: JsonKeyFilter;

  headersRedacted = 0;
  queryParamsRedacted = 0;
  bodyFieldsRedacted = 0;
  bodiesWithheld = 0;
  errors = 0;

  constructor(options: RedactorOptions, private readonly counters: Counters) {
    this.enabled = options.enabled ?? true;
    this.fp = new Fingerprinter(options.salt);
    for (const name of [...DEFAULT_REDACTED_HEADERS, ...(options.extraHeaders ?? [])]) {
      const lower = normaliseHeaderName(name.trim());
      if (lower.length === 0) continue;
      this.headerKinds.set(lower, kindOf(lower));
      this.headerNameLengths.add(lower.length);
    }
    for (const name of [...DEFAULT_REDACTED_FIELDS, ...(options.extraBodyFields ?? [])]) {
      const n = normaliseFieldName(name.trim());
      if (n.length > 0) this.fields.add(n);
    }
    this.jsonKeys = new JsonKeyFilter(this.fields);
  }

  /** Hides secrets in `ex` in place. Never throws for any exchange content. */
  redact(ex: HttpExchange): void {
    if (!this.enabled) return;
    const rq = ex.request;
    this.redactHeaders(rq.headers);
    const target = redactTargetQuery(rq.target, this.fields, this.fp);
    if (target !== null) {
      rq.target = target.text;
      this.queryParamsRedacted += target.fields;
    }
    this.redactBody(rq.headers, rq.body);
    const rs = ex.response;
    if (rs !== null) {
      this.redactHeaders(rs.headers);
      this.redactBody(rs.headers, rs.body);
    }
  }

  private redactHeaders(headers: HeaderList): void {
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i];
      if (!this.headerNameLengths.has(h[0].length)) continue;
      const kind = this.headerKinds.get(normaliseHeaderName(h[0]));
      if (kind === undefined) continue;
      const redacted = redactHeaderValue(kind, h[1], this.fp);
      if (redacted !== h[1]) {
        h[1] = redacted;
        this.headersRedacted++;
      }
    }
  }

  private redactBody(headers: HeaderList, body: MessageBody): void {
    const bytes = body.bytes;
    if (bytes === null || bytes.length === 0) return;
    const contentEncoding = headerValue(headers, 'content-encoding');
    if (body.encoding === null && contentEncoding !== null && contentEncoding.trim().toLowerCase() !== 'identity') {
      body.bytes = null; // still encoded: cannot be scanned, so it does not leave
      body.truncated = true;
      this.bodiesWithheld++;
      return;
    }
    const contentType = headerValue(headers, 'content-type');
    if (contentType !== null && contentType.toLowerCase().includes(FORM_TYPE)) {
      const r = redactFormBody(bytes, this.fields, this.fp);
      if (r !== null) {
        body.bytes = r.bytes;
        this.bodyFieldsRedacted += r.fields;
      }
      return;
    }
    if (looksLikeJson(contentType, bytes) && this.jsonKeys.mayHoldField(bytes)) {
      const r = redactJsonFields(bytes, this.fields, this.fp);
      if (r !== null) {
        body.bytes = r.bytes;
        this.bodyFieldsRedacted += r.fields;
      }
    }
  }

  /** Copies the counts into Counters (names in REDACTION_COUNTERS). Idempotent. */
  publish(): void {
    const c = this.counters;
    c.set(REDACTION_COUNTERS.headers, this.headersRedacted);
    c.set(REDACTION_COUNTERS.queryParams, this.queryParamsRedacted);
    c.set(REDACTION_COUNTERS.bodyFields, this.bodyFieldsRedacted);
    c.set(REDACTION_COUNTERS.bodiesWithheld, this.bodiesWithheld);
    c.set(REDACTION_COUNTERS.errors, this.errors);
  }
}

/**
 * An ExchangeSink that redacts, then hands the exchange on. Fails closed: if redaction throws
 * (a bug), the exchange is dropped and counted in redaction.errors rather than sent unredacted.
 */
export class RedactingSink implements ExchangeSink {
  constructor(private readonly redactor: Redactor, private readonly next: ExchangeSink) {}

  onExchange(ex: HttpExchange): void {
    try {
      this.redactor.redact(ex);
    } catch {
      this.redactor.errors++;
      return;
    }
    this.next.onExchange(ex);
  }
}
