/** One page of a list. `hasMore` says whether iterating would fetch another. */
export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

/** A page of a cursor-paged list (API keys, events): pass `nextCursor` as `cursor` for the next one. */
export interface CursorPage<T> extends Page<T> {
  nextCursor: string | null;
}

/** A page of an offset-paged list (sessions): pass `nextOffset` as `offset` for the next one. */
export interface OffsetPage<T> extends Page<T> {
  nextOffset: number | null;
}

/**
 * What every list method returns: await it for the first page, or `for await` it for every item of
 * every page (the next page is fetched only when the loop gets there).
 * @example for await (const key of client.apiKeys.list({ limit: 100 })) console.log(key.name);
 */
export type ListPromise<T, P extends Page<T> = Page<T>> = Promise<P> & AsyncIterable<T>;

/**
 * Builds a ListPromise from a page fetcher. `fetchPage(undefined)` loads the first page; `nextOf(page)`
 * names the next page's position, or null at the end. Nothing is requested until the result is awaited
 * or iterated.
 */
export function listPromise<T, P extends Page<T>, Position>(
  fetchPage: (position: Position | undefined) => Promise<P>,
  nextOf: (page: P) => Position | null,
): ListPromise<T, P> {
  let first: Promise<P> | undefined;
  const firstPage = () => {
    first ??= fetchPage(undefined);
    return first;
  };
  async function* items(): AsyncGenerator<T> {
    let page = await firstPage();
    for (;;) {
      yield* page.data;
      const next = page.hasMore ? nextOf(page) : null;
      if (next === null) return;
      page = await fetchPage(next);
    }
  }
  // Not a Promise subclass: a thenable whose `then` starts the request lazily (Promise's own executor
  // would start it at once, even for a caller who only iterates).
  const list = {
    // biome-ignore lint/suspicious/noThenProperty: a ListPromise is deliberately thenable
    then<A = P, B = never>(
      onFulfilled?: ((page: P) => A | PromiseLike<A>) | null,
      onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
    ): Promise<A | B> {
      return firstPage().then(onFulfilled, onRejected);
    },
    catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<P | B> {
      return firstPage().catch(onRejected);
    },
    finally(onFinally?: (() => void) | null): Promise<P> {
      return firstPage().finally(onFinally);
    },
    [Symbol.toStringTag]: 'ListPromise',
    [Symbol.asyncIterator]: () => items(),
  };
  return list as ListPromise<T, P>;
}

/** A list the API returns whole (traps, alert channels), with the same shape as a paged one. */
export function wholeList<T>(fetchAll: () => Promise<T[]>): ListPromise<T, Page<T>> {
  return listPromise<T, Page<T>, never>(
    async () => ({ data: await fetchAll(), hasMore: false }),
    () => null,
  );
}
