import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useReloadableAsync } from './useReloadableAsync';
import { airflowApiRef } from '../api';

/** Loads one DAG with its params and default run config. */
export function useDagDetails(options: {
  entityRef: CompoundEntityRef;
  instance: string;
  dagId: string;
  /** Skip loading (e.g. while a dialog is closed). */
  skip?: boolean;
}) {
  const airflowApi = useApi(airflowApiRef);
  const { entityRef, instance, dagId, skip } = options;
  const { kind, namespace, name } = entityRef;
  return useReloadableAsync(async () => {
    if (skip) return undefined;
    return airflowApi.getDagDetails({
      entityRef: { kind, namespace, name },
      instance,
      dagId,
    });
  }, [airflowApi, kind, namespace, name, instance, dagId, skip]);
}
