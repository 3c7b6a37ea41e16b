export * from './RunFailureSummary';
