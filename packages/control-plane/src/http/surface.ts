/**
 * The two API surfaces keep their own documented conventions. LobsterHoney (`/dashboard/api/*`,
 * `/api/*`, `/s/*`) wraps bodies in `{success, data}` and reports errors as `{success: false, error, code}`;
 * LobsterCage (`/v1/*`, `/hook/*`, `/status/*`, and everything else) returns resources bare and errors
 * as `{error: {code, message}}`.
 */
export type Surface = 'honey' | 'cage';

export function surfaceOf(path: string): Surface {
  return path.startsWith('/dashboard/api/') || path.startsWith('/api/') || path.startsWith('/s/')
    ? 'honey'
    : 'cage';
}

export function errorBody(surface: Surface, code: string, message: string): object {
  return surface === 'honey' ? { success: false, error: message, code } : { error: { code, message } };
}
