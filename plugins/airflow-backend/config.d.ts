export interface Config {
  /**
   * Configuration of the Airflow backend plugin.
   *
   * Either list several instances under `instances`, or write a single
   * instance's keys (`baseUrl`, `auth`, ...) directly under `airflow`; the
   * single instance is then named `default`.
   */
  airflow?: {
    /**
     * The Airflow instances this Backstage talks to. The first one is the
     * default for entities without an `airflow.apache.org/instance` annotation.
     */
    instances?: Array<{
      /**
       * Unique name, used in annotations (`name:dag_id`) and URLs.
       * Letters, digits, `_` and `-`.
       */
      name: string;
      /**
       * Base URL of the Airflow API server, without `/api/v1` or `/api/v2`,
       * e.g. `http://127.0.0.1:8080` or `https://airflow.example.com/sub-path`.
       */
      baseUrl: string;
      /**
       * Base URL of the Airflow web UI used for links; defaults to `baseUrl`.
       * @visibility frontend
       */
      webUiUrl?: string;
      /**
       * `auto` (default) detects the API per instance: `v2` (Airflow 3) if
       * `/api/v2/version` answers, else `v1` (Airflow 2).
       */
      apiVersion?: 'auto' | 'v1' | 'v2';
      /** Credentials; omit for an Airflow that needs none. */
      auth?: {
        /**
         * `password` (default with `username`), `token` (default with
         * `token`), `none`, or the type of an auth provider added by a
         * backend module through `airflowAuthProvidersExtensionPoint`
         * (its own keys sit beside `type`).
         */
        type?: string;
        /** Airflow user. Airflow 3: exchanged for a JWT at `/auth/token`; Airflow 2: basic auth. */
        username?: string;
        /**
         * Password of `username`.
         * @visibility secret
         */
        password?: string;
        /**
         * A static bearer token (managed Airflow), instead of username/password.
         * @visibility secret
         */
        token?: string;
      };
      /** Timeout of one request to Airflow, in seconds. Default 10. Writes always use it. */
      timeoutSeconds?: number;
      /**
       * How long an entity's page waits for this instance, in seconds, before
       * showing the other instances' DAGs with this one marked unavailable.
       * Default: `timeoutSeconds`, at most 5.
       */
      pageTimeoutSeconds?: number;
      /** TLS of an Airflow served over HTTPS with a certificate of a private CA. */
      tls?: {
        /** Path of a PEM file with the CA certificate(s), added to Node's trusted CAs. */
        caFile?: string;
        /** The CA certificate(s) as PEM text. */
        ca?: string;
      };
    }>;
    /** Single-instance form: see `instances[].baseUrl`. */
    baseUrl?: string;
    /**
     * Single-instance form: see `instances[].webUiUrl`.
     * @visibility frontend
     */
    webUiUrl?: string;
    /** Single-instance form: see `instances[].apiVersion`. */
    apiVersion?: 'auto' | 'v1' | 'v2';
    /** Single-instance form: see `instances[].auth`. */
    auth?: {
      type?: string;
      username?: string;
      /** @visibility secret */
      password?: string;
      /** @visibility secret */
      token?: string;
    };
    /** Single-instance form: see `instances[].timeoutSeconds`. */
    timeoutSeconds?: number;
    /** Single-instance form: see `instances[].pageTimeoutSeconds`. */
    pageTimeoutSeconds?: number;
    /** Single-instance form: see `instances[].tls`. */
    tls?: { caFile?: string; ca?: string };
    /** Read cache settings. */
    cache?: {
      /** How long DAG lists and recent runs are cached, in seconds. Default 30; 0 disables. */
      ttlSeconds?: number;
    };
    /** How many latest runs each DAG shows on an entity's page. Default 5, at most 25. */
    recentRunsLimit?: number;
    /**
     * Whether every answer of the plugin's API is checked against its schema
     * in the plugin's OpenAPI spec before it is sent; a mismatch answers 500
     * and is logged. Default: on, except when `NODE_ENV` is `production`
     * (the check costs about 0.5 ms of CPU per entity page of 20 DAGs).
     * Requests are always validated.
     */
    validateResponses?: boolean;
    /** The ownership index (every DAG joined with its catalog owners). */
    ownership?: {
      /**
       * How often the index is rebuilt, in minutes (once per interval across
       * backend replicas, by the scheduler service). Default 10, at least
       * 0.25. A replica that dies while rebuilding holds the task until the
       * run times out (one interval, at most 10 minutes) and the scheduler's
       * janitor frees it (within a minute); then another replica runs it.
       */
      refreshIntervalMinutes?: number;
    };
  };
}
