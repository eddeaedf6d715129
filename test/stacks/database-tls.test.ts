/**
 * The database requires TLS and the service connects with it, verified.
 *
 * Aurora: rds.force_ssl = 1 in the cluster parameter group makes the server accept TLS connections only
 * ("Securing Aurora PostgreSQL data with SSL/TLS",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html#AuroraPostgreSQL.Security.SSL;
 * RDS turns the pg_hba.conf entries into `hostssl` then). The same server side is built here from a real
 * PostgreSQL: ssl = on with an openssl-made certificate and `hostssl` entries only. The client side is the
 * service's own pool settings (service/db/endpoint-pool.ts `poolConfig`) with DATABASE_SSL=verify-full and
 * DATABASE_SSL_CA, as the stack and service/Dockerfile set them.
 */
import { execFileSync } from 'node:child_process';
import { chmod, chown, copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DatabaseOptions } from '../../service/config';
import { poolConfig } from '../../service/db/endpoint-pool';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../support/embedded-postgres';
import { exampleConfig } from '../support/example-config';
import { synthTemplates } from '../support/synth';

function openssl(dir: string, command: string): void {
  execFileSync('openssl', command.split(' '), { cwd: dir, stdio: 'pipe' });
}

/** A CA (`ca.pem`), and for each name a server certificate `<name>.pem` it signs for `<name>`'s subjectAltName. */
async function makeCertificates(
  dir: string,
  subjectAltNames: Readonly<Record<string, string>>,
): Promise<void> {
  openssl(dir, 'req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=Test-RDS-CA');
  for (const [name, san] of Object.entries(subjectAltNames)) {
    await writeFile(path.join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
    openssl(dir, `req -newkey rsa:2048 -nodes -keyout ${name}.key -out ${name}.csr -subj /CN=db`);
    openssl(
      dir,
      `x509 -req -in ${name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out ${name}.pem -days 2 -extfile ${name}.ext`,
    );
  }
}

describe('Database TLS', () => {
  it('gives the cluster its own parameter group of the engine’s family with rds.force_ssl 1', () => {
    const { prod } = synthTemplates(exampleConfig(), ['prod']);
    const groups = prod!.findResources('AWS::RDS::DBClusterParameterGroup');
    expect(Object.values(groups).map((g) => [g.Properties.Family, g.Properties.Parameters])).toEqual([
      ['aurora-postgresql16', { 'rds.force_ssl': '1' }],
    ]);
    prod!.hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterParameterGroupName: { Ref: Object.keys(groups)[0] },
    });
  });

  describe('against a real PostgreSQL that requires TLS', () => {
    let pg: EmbeddedPostgres;
    let dir: string;
    const options = (overrides: Partial<DatabaseOptions>): DatabaseOptions => ({
      writerUrl: pg.url,
      readerUrl: pg.url,
      user: undefined,
      password: undefined,
      ssl: 'verify-full',
      sslCaFile: path.join(dir, 'ca.pem'),
      poolMax: 1,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 5000,
      retryDeadlineMs: 0,
      migrateOnStart: false,
      ...overrides,
    });
    async function connect(o: DatabaseOptions): Promise<Client> {
      const client = new Client(poolConfig(o.writerUrl, o));
      client.on('error', () => undefined);
      await client.connect();
      return client;
    }
    /** Makes `name`'s certificate the server's (owned by the server's user) and reloads, over `admin`. */
    async function serve(admin: Client, name: string): Promise<void> {
      const owner = await stat(pg.cluster.dataDir);
      for (const [file, mode] of [
        [`${name}.pem`, 0o644],
        [`${name}.key`, 0o600],
      ] as const) {
        const target = path.join(pg.cluster.dataDir, file);
        await copyFile(path.join(dir, file), target);
        await chown(target, owner.uid, owner.gid);
        await chmod(target, mode);
      }
      await admin.query(`ALTER SYSTEM SET ssl_cert_file = '${name}.pem'`);
      await admin.query(`ALTER SYSTEM SET ssl_key_file = '${name}.key'`);
      await admin.query('SELECT pg_reload_conf()');
    }
    /** A superuser connection that encrypts without checking the certificate. */
    async function admin(): Promise<Client> {
      const client = new Client({ connectionString: pg.url, ssl: { rejectUnauthorized: false } });
      await client.connect();
      return client;
    }

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'wheelhouse-tls-'));
      await makeCertificates(dir, { server: 'IP:127.0.0.1', other: 'DNS:db.other.example' });
      pg = await startEmbeddedPostgres();
      // GIVEN ssl on, then pg_hba.conf with hostssl entries only (what rds.force_ssl = 1 gives).
      const plain = new Client({ connectionString: pg.url });
      await plain.connect();
      await serve(plain, 'server');
      await plain.query("ALTER SYSTEM SET ssl = 'on'");
      const hba = path.join(pg.cluster.dataDir, 'pg_hba.conf');
      const owner = await stat(pg.cluster.dataDir);
      await writeFile(hba, 'hostssl all all 127.0.0.1/32 scram-sha-256\n');
      await chown(hba, owner.uid, owner.gid);
      await plain.query('SELECT pg_reload_conf()');
      await plain.end();
    }, 120_000);
    afterAll(async () => {
      await pg?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('refuses a client without TLS', async () => {
      await expect(connect(options({ ssl: 'off' }))).rejects.toThrow(
        /no pg_hba\.conf entry for host "127\.0\.0\.1", user "[^"]+", database "test", no encryption/,
      );
    });

    it('takes the service’s verify-full connection with the CA bundle, over TLS', async () => {
      const client = await connect(options({}));
      const { rows } = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      await client.end();
      expect(rows).toEqual([{ ssl: true }]);
    });

    it('fails verify-full without the CA bundle (Node does not trust the RDS CA by itself)', async () => {
      await expect(connect(options({ sslCaFile: undefined }))).rejects.toThrow(
        /unable to verify the first certificate/,
      );
    });

    it('fails verify-full when the certificate names another host', async () => {
      const superuser = await admin();
      try {
        await serve(superuser, 'other');
        await expect(connect(options({}))).rejects.toThrow(/IP: 127\.0\.0\.1 is not in the cert's list/);
      } finally {
        await serve(superuser, 'server');
        await superuser.end();
      }
    });
  });
});
