/**
 * Annotations, permissions and shared types of the Airflow plugins.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './errors';
export * from './limits';
export * from './permissions';
export * from './types';
