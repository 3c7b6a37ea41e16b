import {
  createApiFactory,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { airflowApiRef } from './AirflowApi';
import { AirflowClient } from './AirflowClient';

/** The factory of the default {@link AirflowClient}, shared by both frontend systems. */
export const airflowApiFactory = createApiFactory({
  api: airflowApiRef,
  deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
  factory: ({ discoveryApi, fetchApi }) =>
    new AirflowClient({ discoveryApi, fetchApi }),
});
