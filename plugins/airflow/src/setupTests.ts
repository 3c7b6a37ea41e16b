import '@testing-library/jest-dom';

// Rendering MUI tables and dialogs in jsdom takes seconds per test on a
// loaded 2-core CI machine: a bound against hangs, not a performance check.
jest.setTimeout(30_000);
