import type { ServerResponse } from 'node:http';
import type { HoneySession } from '../verdict.js';

// Express gives every request and response object a hidden class of its own (it swaps their prototype
// per request), so every property added to one, and even using one as a WeakMap key, makes V8 build a new
// hidden class: more than all the rest of the middleware costs. So nothing is added to them: the session
// and the tripwire state go into `res.locals` (a plain object Express makes for every response, or keeps
// when it already has one), and `req.lobsterHoney` is an accessor on the app's request prototype.

/** Where the session verdict is kept in `res.locals`. */
export const SESSION = Symbol.for('lobster.honey.session');

export type Locals = Record<symbol, unknown> & { lobsterTripwires?: unknown };

/** The response's `res.locals`, or undefined when it has none (not an Express response). */
export const localsOf = (res: ServerResponse): Locals | undefined => {
  const locals = (res as ServerResponse & { locals?: Locals }).locals;
  return typeof locals === 'object' && locals !== null ? locals : undefined;
};

/** Express's per-response opt-out of page tripwires: `res.locals.lobsterTripwires = false`. */
export const optedOut = (res: ServerResponse): boolean => localsOf(res)?.lobsterTripwires === false;

const withAccessor = new WeakSet<object>();

/**
 * Defines `lobsterHoney` on an app's request prototype (once), reading the session from `req.res.locals`.
 * Not on Express's own base `request`: an accessor there (a dictionary-mode object) measured 30 µs per
 * request, as every property Express stores on a request then takes V8's slow path.
 */
export function ensureSessionAccessor(proto: object): void {
  if (withAccessor.has(proto)) return;
  withAccessor.add(proto);
  Object.defineProperty(proto, 'lobsterHoney', {
    configurable: true,
    enumerable: false,
    get(this: { res?: ServerResponse }): HoneySession | undefined {
      return this.res ? (localsOf(this.res)?.[SESSION] as HoneySession | undefined) : undefined;
    },
    // An app that assigns its own value gets a plain property, as it would without the accessor.
    set(this: object, value: unknown) {
      Object.defineProperty(this, 'lobsterHoney', {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    },
  });
}
