// @ts-check

/**
 * The ownership index (plugins/airflow-backend/src/service/OwnershipStore.ts).
 * Every rebuild writes a complete generation; `airflow_ownership_state` points
 * at the generation readers use and is switched in one update.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('airflow_ownership_generations', table => {
    table.comment('One build of the ownership index');
    table.increments('id').primary();
    table.bigInteger('started_at').notNullable().comment('epoch ms');
    table.bigInteger('completed_at').nullable().comment('epoch ms; null while building');
    table.bigInteger('superseded_at').nullable().comment('epoch ms; when another generation became current');
  });

  await knex.schema.createTable('airflow_ownership_state', table => {
    table.comment('The one row naming the current generation and the latest refresh outcome');
    table.integer('id').primary();
    table
      .integer('current_generation')
      .nullable()
      .references('id')
      .inTable('airflow_ownership_generations');
    table.bigInteger('last_attempt_at').nullable().comment('epoch ms');
    table.text('last_error').nullable();
  });

  await knex.schema.createTable('airflow_ownership_instances', table => {
    table.comment('Per generation and instance: when its DAGs were read from Airflow, and why not this time');
    table
      .integer('generation_id')
      .notNullable()
      .references('id')
      .inTable('airflow_ownership_generations');
    table.string('instance', 100).notNullable();
    table.bigInteger('refreshed_at').nullable().comment('epoch ms of the last good read; null: never');
    table.text('error').nullable().comment('JSON of the instance error of this build');
    table.integer('dag_count').notNullable();
    table.primary(['generation_id', 'instance']);
  });

  await knex.schema.createTable('airflow_ownership_dags', table => {
    table.comment('Every DAG of every instance');
    table
      .integer('generation_id')
      .notNullable()
      .references('id')
      .inTable('airflow_ownership_generations');
    table.integer('dag_no').notNullable().comment('numbered by the build');
    table.string('instance', 100).notNullable();
    table.string('dag_id', 250).notNullable();
    table.text('display_name').notNullable();
    table.text('web_url').notNullable();
    table.boolean('is_paused').notNullable();
    table.text('schedule').nullable();
    table.text('tags').notNullable().comment('JSON array');
    table.text('airflow_owners').notNullable().comment('JSON array');
    table.string('last_run_state', 20).nullable();
    table.text('last_run_date').nullable().comment('ISO 8601 UTC');
    table.bigInteger('last_run_at').nullable().comment('epoch ms of last_run_date, for sorting');
    table.text('search').notNullable().comment('lower-cased DAG id, display name, tags, Airflow owners');
    table.integer('entity_count').notNullable().comment('entities naming the DAG, readable or not');
    table
      .text('owner_sort')
      .nullable()
      .comment('smallest direct owner ref of the naming entities: the owners order when every entity is readable');
    table.primary(['generation_id', 'dag_no']);
    table.unique(['generation_id', 'instance', 'dag_id']);
    table.index(['generation_id', 'dag_id'], 'airflow_ownership_dags_gen_dag_idx');
    table.index(['generation_id', 'owner_sort'], 'airflow_ownership_dags_gen_owner_idx');
  });

  await knex.schema.createTable('airflow_ownership_entities', table => {
    table.comment('Catalog entities with Airflow annotations');
    table
      .integer('generation_id')
      .notNullable()
      .references('id')
      .inTable('airflow_ownership_generations');
    table.integer('entity_no').notNullable().comment('numbered by the build');
    table.text('entity_ref').notNullable();
    table.text('title').notNullable();
    table.text('owners').notNullable().comment('JSON array of owner refs');
    table.primary(['generation_id', 'entity_no']);
  });

  await knex.schema.createTable('airflow_ownership_owners', table => {
    table.comment('Owner refs of each entity (lower-cased), with the groups above them');
    table
      .integer('generation_id')
      .notNullable()
      .references('id')
      .inTable('airflow_ownership_generations');
    table.integer('entity_no').notNullable();
    table.text('owner_ref').notNullable();
    table.boolean('direct').notNullable().comment('false: a parent group of a direct owner');
    table.index(['generation_id', 'entity_no'], 'airflow_ownership_owners_entity_idx');
    table.index(['generation_id', 'owner_ref'], 'airflow_ownership_owners_ref_idx');
  });

  await knex.schema.createTable('airflow_ownership_links', table => {
    table.comment('Which entity names which DAG, and how');
    table
      .integer('generation_id')
      .notNullable()
      .references('id')
      .inTable('airflow_ownership_generations');
    table.integer('dag_no').notNullable();
    table.integer('entity_no').notNullable();
    table.string('named_by', 3).notNullable().comment('id or tag');
    table.index(['generation_id', 'dag_no'], 'airflow_ownership_links_dag_idx');
    table.index(['generation_id', 'entity_no'], 'airflow_ownership_links_entity_idx');
  });

  await knex.schema.createTable('airflow_ownership_dangling', table => {
    table.comment('Annotated DAG ids that do not exist');
    table
      .integer('generation_id')
      .notNullable()
      .references('id')
      .inTable('airflow_ownership_generations');
    table.integer('entity_no').notNullable();
    table.string('instance', 100).notNullable();
    table.string('dag_id', 250).notNullable();
    table.string('reason', 20).notNullable();
    table.text('search').notNullable().comment('lower-cased DAG id, entity ref and title');
    table.index(['generation_id'], 'airflow_ownership_dangling_gen_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const name of [
    'airflow_ownership_dangling',
    'airflow_ownership_links',
    'airflow_ownership_owners',
    'airflow_ownership_entities',
    'airflow_ownership_dags',
    'airflow_ownership_instances',
    'airflow_ownership_state',
    'airflow_ownership_generations',
  ]) {
    await knex.schema.dropTableIfExists(name);
  }
};
