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
import type { AirflowDagRun } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useMemo, useState } from 'react';
import { useAirflowPermissions, useEntityDags } from '../../hooks';
import { formatRelativeTime } from '../../lib/format';
import { dagRunsQuery } from '../../lib/tabLinks';
import { OpenInAirflowLink } from '../OpenInAirflowLink';
import { DagRunStatus } from '../DagRunStatus';
import { instanceErrorTitle } from '../EntityDagsWarnings';
import { RunFailurePanel } from '../RunFailureSummary';

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
 * last DAG run and their next run, linking to the Airflow tab (a DAG's name
 * opens its runs view there). A DAG whose last run failed offers "Why did it
 * fail?", which shows the failure summary in the card. When no DAG could be
 * listed because instances failed, it says why.
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
        <CardContent tabLink={tabLink} />
      ) : (
        <MissingAnnotationEmptyState annotation={AIRFLOW_DAG_IDS_ANNOTATION} />
      )}
    </InfoCard>
  );
}

function CardContent(props: { tabLink: string }) {
  const { tabLink } = props;
  const { entity } = useEntity();
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const permissions = useAirflowPermissions(entity);
  const { value, loading, error, retry } = useEntityDags(entityRef);
  const [failure, setFailure] = useState<AirflowDagRun>();

  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;

  const runsLink = (instance: string, dagId: string, runId?: string) =>
    `${tabLink}${dagRunsQuery(instance, dagId, runId)}`;
  const instanceErrors = value.errors.filter(e => e.scope !== 'runs');

  return (
    <>
      {value.dags.length === 0 && instanceErrors.length > 0 && (
        <Stack spacing={1} role="alert">
          {instanceErrors.map(e => (
            <Box key={e.instance}>
              <Typography variant="body2" color="error">
                {instanceErrorTitle(e)}
              </Typography>
              <Typography variant="caption" color="text.secondary">
                {e.message} ({e.name}, HTTP {e.status})
              </Typography>
            </Box>
          ))}
        </Stack>
      )}
      {value.dags.length === 0 &&
        instanceErrors.length === 0 &&
        (value.missing.length > 0 ? (
          <Typography variant="body2">
            None of the annotated DAGs were found in Airflow.
          </Typography>
        ) : (
          <Typography variant="body2">No DAGs found.</Typography>
        ))}
      {value.dags.length > 0 && (
        <List dense disablePadding aria-label="DAGs">
          {value.dags.map(dag => {
            const last = dag.recentRuns[0];
            const nextRun = dag.nextRunAfter ?? dag.nextRunLogicalDate;
            let secondary = dag.schedule ?? 'Manual only';
            if (dag.isPaused) secondary += ' · paused';
            else if (nextRun) {
              secondary += ` · next run ${formatRelativeTime(nextRun)}`;
            }
            const showsFailure =
              failure !== undefined &&
              last !== undefined &&
              failure.instance === last.instance &&
              failure.dagId === last.dagId &&
              failure.runId === last.runId;
            return (
              <ListItem
                key={`${dag.instance}:${dag.dagId}`}
                disableGutters
                sx={{ flexDirection: 'column', alignItems: 'stretch' }}
              >
                <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
                  <ListItemText
                    sx={{ minWidth: 0 }}
                    primary={
                      <Box
                        component="span"
                        sx={{ display: 'flex', alignItems: 'center', gap: 0.5 }}
                      >
                        <Link
                          to={runsLink(dag.instance, dag.dagId)}
                          title={dag.displayName}
                          style={{
                            overflow: 'hidden',
                            textOverflow: 'ellipsis',
                            whiteSpace: 'nowrap',
                          }}
                        >
                          {dag.displayName}
                        </Link>
                        <OpenInAirflowLink href={dag.webUrl} iconSize={14} />
                      </Box>
                    }
                    secondary={secondary}
                  />
                  <Box
                    sx={{
                      display: 'flex',
                      flexDirection: 'column',
                      alignItems: 'flex-end',
                      flexShrink: 0,
                    }}
                  >
                    {last ? (
                      <DagRunStatus state={last.state} />
                    ) : (
                      <Typography variant="body2" color="text.secondary">
                        no runs
                      </Typography>
                    )}
                    {last?.state === 'failed' && (
                      <Button
                        size="small"
                        color="error"
                        sx={{ px: 0.5, minWidth: 0 }}
                        aria-expanded={showsFailure}
                        onClick={() =>
                          setFailure(showsFailure ? undefined : last)
                        }
                      >
                        Why did it fail?
                      </Button>
                    )}
                  </Box>
                </Box>
                {showsFailure && last && (
                  <RunFailurePanel
                    entityRef={entityRef}
                    run={last}
                    permissions={permissions}
                    headingComponent="h3"
                    onClose={() => setFailure(undefined)}
                    onChanged={retry}
                    footer={
                      <Box sx={{ mt: 1 }}>
                        <Link
                          to={runsLink(last.instance, last.dagId, last.runId)}
                        >
                          Show the DAG run in the Airflow tab
                        </Link>
                      </Box>
                    }
                  />
                )}
              </ListItem>
            );
          })}
        </List>
      )}
      {(value.dags.length > 0 || instanceErrors.length === 0) &&
        value.missing.length + value.errors.length > 0 && (
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
