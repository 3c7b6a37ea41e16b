import { Link } from '@backstage/core-components';
import OpenInNewIcon from '@material-ui/icons/OpenInNew';

/**
 * The icon link from a DAG to its page in Airflow's UI (accessible name
 * "Open DAG in Airflow"), beside a DAG name that links into Backstage.
 */
export function OpenInAirflowLink(props: { href: string; iconSize: number }) {
  return (
    <Link
      to={props.href}
      aria-label="Open DAG in Airflow"
      title="Open DAG in Airflow"
      style={{ display: 'inline-flex', flexShrink: 0 }}
    >
      <OpenInNewIcon style={{ fontSize: props.iconSize }} />
    </Link>
  );
}
