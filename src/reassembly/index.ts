/** Public surface of the reassembly stage. */
export { Assembler } from './assembler.js';
export {
  DEFAULT_ASSEMBLER_OPTIONS,
  SEGMENT_OVERHEAD_BYTES,
  resolveAssemblerOptions,
  type AssemblerOptions,
  type AssemblerStats,
} from './options.js';
export * from './types.js';
