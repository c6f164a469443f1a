import type { ResolvedOptions, ResolvedTrapConfig } from '../options.js';
import { DEFAULT_TRAPS, defaultTrapId } from './defaults.js';
import { GENERIC_CREDENTIALS, GENERIC_RENDERERS } from './generic.js';
import type { BuiltinTrap, Trap } from './types.js';

const BUILTIN_BY_PATH = new Map(DEFAULT_TRAPS.map((b) => [b.path, b]));

function fromBuiltin(b: BuiltinTrap): Trap {
  return { ...b, id: defaultTrapId(b.key), active: true };
}

/** A trap from config (local or synced): the built-in renderer for a default path, else the generic one by type. */
export function fromConfig(c: ResolvedTrapConfig): Trap {
  const builtin = BUILTIN_BY_PATH.get(c.path);
  const sameKind = builtin && builtin.type === c.type ? builtin : undefined;
  return {
    id: c.id ?? (sameKind ? defaultTrapId(sameKind.key) : `local:${c.path}`),
    name: c.name ?? sameKind?.name ?? `${c.path} Trap`,
    path: c.path,
    type: c.type,
    description: c.description ?? sameKind?.description ?? '',
    active: c.active,
    injectionFormats: c.injectionFormats?.length
      ? c.injectionFormats
      : (sameKind?.injectionFormats ?? ['html-comment', 'json-meta', 'zero-width', 'prose']),
    methods: c.methods ?? sameKind?.methods ?? (c.type === 'api' ? ['GET', 'POST'] : ['GET']),
    credentials: sameKind?.credentials ?? GENERIC_CREDENTIALS[c.type],
    render: c.render ?? sameKind?.render ?? GENERIC_RENDERERS[c.type],
  };
}

/** The traps a site serves, keyed by full path (base path included) for the one lookup per request. */
export interface TrapTable {
  list: readonly Trap[];
  byPath: ReadonlyMap<string, Trap>;
}

/**
 * Builds the active table: the synced list when there is one, else the default set; then the caller's
 * additions (replacing a trap at the same path) and disables.
 */
export function buildTrapTable(
  opts: ResolvedOptions['traps'],
  remote: readonly ResolvedTrapConfig[] | null,
  basePath: string,
): TrapTable {
  const base: Trap[] = remote ? remote.map(fromConfig) : opts.defaults ? DEFAULT_TRAPS.map(fromBuiltin) : [];
  const byPathAll = new Map<string, Trap>(base.map((t) => [t.path, t]));
  for (const add of opts.add) byPathAll.set(add.path, fromConfig(add));
  const disabled = new Set(opts.disable);
  const list = [...byPathAll.values()].filter(
    (t) =>
      t.active &&
      !disabled.has(t.path) &&
      !disabled.has(t.id) &&
      !disabled.has(t.id.replace(/^default:/, '')),
  );
  return { list, byPath: new Map(list.map((t) => [basePath + t.path, t])) };
}
