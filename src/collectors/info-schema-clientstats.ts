/**
 * `info_schema.clientstats`: information_schema.client_statistics (Percona Server and MariaDB with
 * `userstat=ON`) as `mysql_info_schema_client_statistics_*{client}`; same gate, naming and caps as
 * `info_schema.userstats` (see info-schema-userstats.ts).
 * Source: information_schema.client_statistics (after the userstat gate).
 * Not a query file: it shares info_schema.userstats' gate and column mapping (info-schema-userstats.ts).
 */
import type { CollectorDef } from '../model/collector.js';
import { CLIENT_STATISTICS, statisticsDef } from './info-schema-userstats.js';

export const infoSchemaClientstats: CollectorDef = statisticsDef(CLIENT_STATISTICS);
