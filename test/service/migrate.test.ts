import { Client } from 'pg';
import { loadServiceOptions } from '../../service/config';
import { migrateDatabase } from '../../service/db/migrate';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../support/embedded-postgres';

let pg: EmbeddedPostgres;

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
}, 60_000);

afterAll(() => pg?.stop());

it('applies each migration once when two replicas migrate at the same moment', async () => {
  // GIVEN an empty database and two replicas starting together
  const options = loadServiceOptions({ DATABASE_URL: pg.url }).database;

  // WHEN both migrate at once, and one migrates again later
  const [first, second] = await Promise.all([migrateDatabase(options), migrateDatabase(options)]);
  const later = await migrateDatabase(options);

  // THEN one of them applied everything, the other waited for the lock and found nothing to do
  expect([first, second].sort((a, b) => b.length - a.length)).toEqual([['0001_create_notes'], []]);
  expect(later).toEqual([]);
  const client = new Client({ connectionString: pg.url });
  await client.connect();
  const { rows } = await client.query('SELECT version FROM schema_migrations');
  await client.end();
  expect(rows).toEqual([{ version: '0001_create_notes' }]);
});
