export interface Config {
  permission?: {
    /**
     * The Airflow owner policy
     * (`@airflow-for-backstage/backstage-plugin-permission-backend-module-airflow`).
     */
    airflow?: {
      /**
       * Entity refs of the groups whose members are allowed every Airflow
       * permission, e.g. `group:default/platform-admins`; a ref without kind
       * or namespace means `group:default/<name>`. Default: none.
       */
      adminGroups?: string[];
      /**
       * Whether seeing an entity's DAGs (`airflow.dag.read`) needs ownership
       * of the entity, as the write permissions do. Default `false`: everyone
       * may read.
       */
      readRequiresOwnership?: boolean;
      /**
       * The Airflow permissions that only owners of the entity (and admins)
       * get. Default `airflow.dag.trigger`, `airflow.dag.pause`,
       * `airflow.dag.clear`, `airflow.dag.state.update` and
       * `airflow.dag.logs.read` (task logs can hold secrets). Listing the basic permission
       * `airflow.ownership.read` restricts the ownership view to admins.
       */
      writePermissions?: Array<
        | 'airflow.dag.read'
        | 'airflow.dag.trigger'
        | 'airflow.dag.pause'
        | 'airflow.dag.clear'
        | 'airflow.dag.logs.read'
        | 'airflow.dag.state.update'
        | 'airflow.ownership.read'
      >;
      /**
       * Ownership through the group hierarchy: members of a group also count
       * as owners of the entities owned by the groups below it (children,
       * their children, ...). Default off.
       */
      transitiveOwnership?: {
        /** Default `false`. */
        enabled?: boolean;
        /** How many levels below a user's groups count. Default 10, at most 50. */
        maxDepth?: number;
      };
    };
  };
}
