import type { AirflowTaskInstance } from '@airflow-for-backstage/backstage-plugin-airflow-common';

/** `load`, or `transform [3]` (or its rendered label) for a mapped task instance. */
export function taskInstanceLabel(
  ti: Pick<AirflowTaskInstance, 'taskId' | 'mapIndex' | 'renderedMapIndex'>,
): string {
  if (ti.mapIndex < 0) return ti.taskId;
  return `${ti.taskId} [${ti.renderedMapIndex ?? ti.mapIndex}]`;
}
