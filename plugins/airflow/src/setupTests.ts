import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Rendering MUI tables and dialogs in jsdom takes seconds per test on a
// loaded 2-core CI machine: a bound against hangs, not a performance check.
// The same for waiting on an element (lazy extensions load in that time).
jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

// jsdom lays nothing out: CodeMirror measures text ranges, which jsdom lacks.
if (typeof Range !== 'undefined' && !Range.prototype.getClientRects) {
  const empty = () => ({
    length: 0,
    item: () => null,
    [Symbol.iterator]: [][Symbol.iterator],
  });
  Range.prototype.getClientRects = empty as unknown as () => DOMRectList;
  Range.prototype.getBoundingClientRect = () =>
    ({
      x: 0,
      y: 0,
      width: 0,
      height: 0,
      top: 0,
      right: 0,
      bottom: 0,
      left: 0,
      toJSON: () => ({}),
    } as DOMRect);
}
