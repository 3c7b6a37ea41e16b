export * from './RunFailureSummary';
export * from './RunFailurePanel';
