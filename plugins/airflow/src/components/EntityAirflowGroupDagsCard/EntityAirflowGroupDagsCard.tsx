import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Link, Progress } from '@backstage/core-components';
import { EntityRefLinks, useEntity } from '@backstage/plugin-catalog-react';
import type { AirflowOwnershipDag } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import { useMemo } from 'react';
import { useOwnership } from '../../hooks/useOwnership';
import { useOwnershipPageLink } from '../../hooks/useOwnershipPageLink';
import { dagsOwnedBy, OWNERSHIP_FILTER_PARAMS } from '../../lib/ownership';
import { DagRunStatus } from '../DagRunStatus';
import { OwnershipErrorPanel } from '../OwnershipErrorPanel';

/** Title of {@link EntityAirflowGroupDagsCard}. */
export const GROUP_DAGS_CARD_TITLE = 'Airflow DAGs owned by this group';

function DagItem(props: { dag: AirflowOwnershipDag; groupRef: string }) {
  const { dag, groupRef } = props;
  // Only the group's own entities: the DAG may also be named by other teams'.
  const via = dag.entities.filter(e => e.owners.includes(groupRef));
  return (
    <ListItem
      disableGutters
      secondaryAction={
        dag.lastRunState ? (
          <DagRunStatus state={dag.lastRunState} />
        ) : (
          <Typography variant="body2" color="text.secondary">
            never ran
          </Typography>
        )
      }
    >
      <ListItemText
        primary={<Link to={dag.webUrl}>{dag.displayName}</Link>}
        secondaryTypographyProps={{ component: 'div' }}
        secondary={
          <>
            {dag.dagId} on {dag.instance}
            {dag.isPaused ? ' · paused' : ''}
            {via.length > 0 && (
              <>
                {' · via '}
                <EntityRefLinks entityRefs={via.map(e => e.entityRef)} />
              </>
            )}
          </>
        }
      />
    </ListItem>
  );
}

/**
 * A group overview card listing the Airflow DAGs the group owns through the
 * catalog entities that name them (DAGs whose owners include the group), with
 * their last run state, links to Airflow and to the ownership page. Reads the
 * ownership index, so the user needs `airflow.ownership.read`.
 * @public
 */
export function EntityAirflowGroupDagsCard() {
  const { entity } = useEntity();
  const groupRef = stringifyEntityRef(entity);
  const ownership = useOwnership();
  const pageLink = useOwnershipPageLink();
  const dags = useMemo(
    () =>
      ownership.value
        ? dagsOwnedBy(ownership.value.response.dags, groupRef)
        : [],
    [ownership.value, groupRef],
  );

  let content;
  if (ownership.loading && !ownership.value) content = <Progress />;
  else if (ownership.error) {
    content = <OwnershipErrorPanel error={ownership.error} />;
  } else if (dags.length === 0) {
    content = (
      <Typography variant="body2">
        No Airflow DAGs are owned by this group. A DAG belongs to a group when
        an entity the group owns names it in its airflow.apache.org annotations.
      </Typography>
    );
  } else {
    content = (
      <List dense disablePadding aria-label="DAGs owned by this group">
        {dags.map(dag => (
          <DagItem
            key={`${dag.instance}:${dag.dagId}`}
            dag={dag}
            groupRef={groupRef}
          />
        ))}
      </List>
    );
  }

  const query = new URLSearchParams({
    [OWNERSHIP_FILTER_PARAMS.owner]: groupRef,
  });
  return (
    <InfoCard
      title={GROUP_DAGS_CARD_TITLE}
      deepLink={
        pageLink
          ? { title: 'View all DAGs and owners', link: `${pageLink}?${query}` }
          : undefined
      }
    >
      {content}
    </InfoCard>
  );
}
