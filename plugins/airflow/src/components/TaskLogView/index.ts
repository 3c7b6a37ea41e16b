export * from './TaskLogView';
