import { describe, expect, it } from '@jest/globals';
import { Signal } from './signal.js';

describe('Signal', () => {
  it('hands each emitted value to every listener, in the order they subscribed', () => {
    const seen: string[] = [];
    const leading = new Signal<boolean>();
    leading.on((v) => seen.push(`status ${v}`));
    leading.on((v) => seen.push(`certs ${v}`));
    const emit = leading.emit; // passed on alone, as the elector gets it
    emit(true);
    emit(false);
    expect(seen).toEqual(['status true', 'certs true', 'status false', 'certs false']);
  });
});
