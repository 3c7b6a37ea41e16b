/** Freezes `value` and everything in it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

const FREEZE = process.env.NODE_ENV !== 'production';

/**
 * A value that several requests share from memory, frozen (deeply) outside
 * production, so that a caller changing a shared value fails loudly in tests
 * instead of changing another request's answer. In production it is
 * returned as is (freezing costs a walk over the value).
 */
export function freezeShared<T>(value: T): T {
  return FREEZE ? deepFreeze(value) : value;
}
