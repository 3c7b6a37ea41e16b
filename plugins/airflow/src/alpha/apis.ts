import { ApiBlueprint } from '@backstage/frontend-plugin-api';
import { airflowApiFactory } from '../api/factory';

/** Provides the default Airflow client. */
export const airflowApi = ApiBlueprint.make({
  params: defineParams => defineParams(airflowApiFactory),
});
