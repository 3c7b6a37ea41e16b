export * from './ClearTaskInstanceDialog';
export * from './MarkStateDialog';
export * from './TaskInstanceDetails';
export * from './labels';
export * from './TaskInstanceButtons';
