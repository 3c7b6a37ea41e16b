import { Content } from '@backstage/core-components';
import { PageBlueprint } from '@backstage/frontend-plugin-api';
import AccountTreeIcon from '@material-ui/icons/AccountTree';
import { ownershipRouteRef } from '../routes';

/**
 * The ownership page at `/airflow-ownership`: every DAG of every instance with
 * its catalog owners. Its title and icon make it a sidebar item.
 */
export const airflowOwnershipPage = PageBlueprint.make({
  name: 'ownership',
  params: {
    path: '/airflow-ownership',
    title: 'Airflow DAGs',
    icon: <AccountTreeIcon />,
    routeRef: ownershipRouteRef,
    loader: () =>
      import('../components/AirflowOwnershipPage').then(m => (
        <Content>
          <m.AirflowOwnershipContent />
        </Content>
      )),
  },
});
