export const pluginId = 'airflow';
