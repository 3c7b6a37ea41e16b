import { getCompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  MissingAnnotationEmptyState,
  useEntity,
  useEntityRefLink,
} from '@backstage/plugin-catalog-react';
import {
  AIRFLOW_DAG_IDS_ANNOTATION,
  isAirflowAvailable,
} from '@airflow-for-backstage/backstage-plugin-airflow-common';
import WarningIcon from '@material-ui/icons/Warning';
import Box from '@mui/material/Box';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import { useMemo } from 'react';
import { useEntityDags } from '../../hooks';
import { formatRelativeTime } from '../../lib/format';
import { DagRunStatus } from '../DagRunStatus';

/**
 * Props of {@link EntityAirflowDagsCard}.
 * @public
 */
export interface EntityAirflowDagsCardProps {
  /** Path of the Airflow tab below the entity page. Defaults to `airflow`. */
  contentPath?: string;
}

/**
 * An entity overview card listing the entity's DAGs with the state of their
 * last DAG run and their next run, linking to the Airflow tab.
 * @public
 */
export function EntityAirflowDagsCard(props: EntityAirflowDagsCardProps) {
  const { entity } = useEntity();
  const entityLink = useEntityRefLink();
  const contentPath = (props.contentPath ?? 'airflow').replace(/^\/+/, '');
  const tabLink = `${entityLink(entity).replace(/\/+$/, '')}/${contentPath}`;

  return (
    <InfoCard
      title="Airflow DAGs"
      deepLink={{ title: 'View DAGs and DAG runs', link: tabLink }}
    >
      {isAirflowAvailable(entity) ? (
        <CardContent />
      ) : (
        <MissingAnnotationEmptyState annotation={AIRFLOW_DAG_IDS_ANNOTATION} />
      )}
    </InfoCard>
  );
}

function CardContent() {
  const { entity } = useEntity();
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const { value, loading, error } = useEntityDags(entityRef);

  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;

  const problems = value.missing.length + value.errors.length;
  return (
    <>
      {value.dags.length === 0 ? (
        <Typography variant="body2">No DAGs found.</Typography>
      ) : (
        <List dense disablePadding aria-label="DAGs">
          {value.dags.map(dag => {
            const last = dag.recentRuns[0];
            const nextRun = dag.nextRunAfter ?? dag.nextRunLogicalDate;
            let secondary = dag.schedule ?? 'Manual only';
            if (dag.isPaused) secondary += ' · paused';
            else if (nextRun) {
              secondary += ` · next run ${formatRelativeTime(nextRun)}`;
            }
            return (
              <ListItem
                key={`${dag.instance}:${dag.dagId}`}
                disableGutters
                secondaryAction={
                  last ? (
                    <DagRunStatus state={last.state} />
                  ) : (
                    <Typography variant="body2" color="text.secondary">
                      no runs
                    </Typography>
                  )
                }
              >
                <ListItemText
                  primary={<Link to={dag.webUrl}>{dag.displayName}</Link>}
                  secondary={secondary}
                />
              </ListItem>
            );
          })}
        </List>
      )}
      {problems > 0 && (
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mt: 1 }}>
          <WarningIcon fontSize="small" color="error" />
          <Typography variant="body2">
            {[
              value.errors.length > 0 &&
                `Unavailable instances: ${value.errors
                  .map(e => e.instance)
                  .join(', ')}`,
              value.missing.length > 0 &&
                `${value.missing.length} DAG(s) not found in Airflow`,
            ]
              .filter(Boolean)
              .join('. ')}
          </Typography>
        </Box>
      )}
    </>
  );
}
