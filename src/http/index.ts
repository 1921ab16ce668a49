export { HttpStreamFactory } from './factory.js';
export { DEFAULT_HTTP_OPTIONS, resolveHttpOptions, type HttpOptions } from './options.js';
export type * from './types.js';
