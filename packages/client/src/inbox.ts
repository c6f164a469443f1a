/**
 * A queue between a push source (EventSource callbacks) and a pull consumer (an async generator): items
 * wait until taken; `fail` hands the consumer an error after the items before it; `close` ends it.
 */
export class Inbox<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | null = null;
  private failure: { error: unknown } | null = null;
  private closed = false;

  push(item: T): void {
    if (this.closed || this.failure) return;
    this.items.push(item);
    this.wake();
  }

  fail(error: unknown): void {
    if (this.closed || this.failure) return;
    this.failure = { error };
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /** The next item; `done` once closed; throws the failure once the items before it are taken. */
  async take(): Promise<{ done: true } | { done: false; value: T }> {
    for (;;) {
      if (this.items.length > 0) return { done: false, value: this.items.shift() as T };
      if (this.failure) throw this.failure.error;
      if (this.closed) return { done: true };
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}

/** The ids seen most recently, bounded so a stream that runs for months does not grow without end. */
export class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}

  /** True the first time an id is offered, false for a repeat. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
}
