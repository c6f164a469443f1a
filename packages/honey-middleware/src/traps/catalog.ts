import { DEFAULT_TRAPS, defaultTrapId } from './defaults.js';
import type { TrapType } from './types.js';

/** The default set as plain data, in the control plane's field names, so it can seed a new org identically. */
export const DEFAULT_TRAP_SET: readonly {
  id: string;
  name: string;
  path: string;
  type: TrapType;
  description: string;
  injection_formats: string;
}[] = DEFAULT_TRAPS.map((t) => ({
  id: defaultTrapId(t.key),
  name: t.name,
  path: t.path,
  type: t.type,
  description: t.description,
  injection_formats: t.injectionFormats.join(','),
}));
