export { OpenInAirflowLink } from './OpenInAirflowLink';
