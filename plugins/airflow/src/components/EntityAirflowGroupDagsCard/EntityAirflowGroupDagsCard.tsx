import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Link, Progress } from '@backstage/core-components';
import { EntityRefLinks, useEntity } from '@backstage/plugin-catalog-react';
import type { AirflowOwnershipDag } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import { useOwnershipPage } from '../../hooks/useOwnership';
import { useOwnershipPageLink } from '../../hooks/useOwnershipPageLink';
import { OWNERSHIP_FILTER_PARAMS } from '../../lib/ownership';
import { DagRunStatus } from '../DagRunStatus';
import { OwnershipErrorPanel } from '../OwnershipErrorPanel';

/** Title of {@link EntityAirflowGroupDagsCard}. */
export const GROUP_DAGS_CARD_TITLE = 'Airflow DAGs owned by this group';
/** DAGs the card lists; the ownership page has the rest. */
export const GROUP_DAGS_CARD_LIMIT = 20;

function DagItem(props: { dag: AirflowOwnershipDag; groupRef: string }) {
  const { dag, groupRef } = props;
  // The group's own entities (the DAG may also be named by other teams'); a
  // DAG that comes through a child group shows the entities naming it.
  const own = dag.entities.filter(e => e.owners.includes(groupRef));
  const via = own.length > 0 ? own : dag.entities;
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
 * catalog entities that name them, including the entities of its child
 * groups, with their last run state, links to Airflow and to the ownership
 * page. Asks the server for one page of the ownership view filtered by the
 * group, so the user needs `airflow.ownership.read`.
 * @public
 */
export function EntityAirflowGroupDagsCard() {
  const { entity } = useEntity();
  const groupRef = stringifyEntityRef(entity);
  const ownership = useOwnershipPage({
    owner: groupRef,
    sort: 'dagId',
    limit: GROUP_DAGS_CARD_LIMIT,
  });
  const pageLink = useOwnershipPageLink();
  const page = ownership.loaded?.value;
  const dags = page?.dags ?? [];

  let content;
  if (!page && !ownership.error) content = <Progress />;
  else if (ownership.error) {
    content = <OwnershipErrorPanel error={ownership.error} />;
  } else if (dags.length === 0) {
    content = (
      <Typography variant="body2">
        No Airflow DAGs are owned by this group. A DAG belongs to a group when
        an entity the group (or one of its child groups) owns names it in its
        airflow.apache.org annotations.
      </Typography>
    );
  } else {
    content = (
      <>
        <List dense disablePadding aria-label="DAGs owned by this group">
          {dags.map(dag => (
            <DagItem
              key={`${dag.instance}:${dag.dagId}`}
              dag={dag}
              groupRef={groupRef}
            />
          ))}
        </List>
        {page && page.total > dags.length && (
          <Typography variant="body2" color="text.secondary">
            {dags.length} of {page.total} DAGs
          </Typography>
        )}
      </>
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
