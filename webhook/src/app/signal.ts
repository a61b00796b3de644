/**
 * A change one part of the webhook announces and parts built after it follow (leadership, cache
 * changes). It lets the composition build every part after what it needs, with no forward references.
 */
export class Signal<T = void> {
  private readonly listeners: ((value: T) => void)[] = [];

  on(listener: (value: T) => void): void {
    this.listeners.push(listener);
  }

  readonly emit = (value: T): void => {
    for (const listener of this.listeners) listener(value);
  };
}
