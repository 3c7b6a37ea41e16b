export * from './DagGrid';
