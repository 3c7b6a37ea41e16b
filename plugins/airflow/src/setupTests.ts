import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The tests run on shared machines (CI: 2 cores): renders of the tables and
// dialogs can take seconds there. Waits and tests time out later, never
// sooner than they would pass.
configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(60_000);
