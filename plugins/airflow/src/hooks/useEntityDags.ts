import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useReloadableAsync } from './useReloadableAsync';
import { airflowApiRef } from '../api';

/** Loads the DAGs of an entity; `retry` reloads them. */
export function useEntityDags(entityRef: CompoundEntityRef) {
  const airflowApi = useApi(airflowApiRef);
  const { kind, namespace, name } = entityRef;
  return useReloadableAsync(
    () => airflowApi.listEntityDags({ entityRef: { kind, namespace, name } }),
    [airflowApi, kind, namespace, name],
  );
}
