/** The LobsterHoney success envelope; the client hands back what is inside it. */
export interface HoneyOk<T> {
  success: true;
  data: T;
}

export const unwrap = <T>(body: HoneyOk<T>): T => body.data;

/** Ids go into paths; encoding keeps a stray `/` or `?` from reaching another route. */
export const seg = (id: string): string => encodeURIComponent(id);
