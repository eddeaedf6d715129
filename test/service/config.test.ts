import { ConfigError, loadServiceOptions } from '../../service/config';
import { poolConfig } from '../../service/db/endpoint-pool';

describe('loadServiceOptions', () => {
  it('defaults to ports 8080/9000, a 25 s drain and the embedded database when nothing is set', () => {
    const options = loadServiceOptions({});
    expect(options).toMatchObject({
      httpPort: 8080,
      grpcPort: 9000,
      shutdownTimeoutMs: 25_000,
      logLevel: 'info',
      embeddedDatabase: { dataDir: '.data/postgres', port: 54329 },
      metrics: { agentHost: undefined, tags: { service: 'wheelhouse' } },
    });
    expect(options.database.ssl).toBe('off');
  });

  it('uses DATABASE_URL for both endpoints, with TLS verified for a remote host', () => {
    const options = loadServiceOptions({ DATABASE_URL: 'postgres://db.example:5432/wheelhouse' });
    expect(options.embeddedDatabase).toBeUndefined();
    expect(options.database).toMatchObject({
      writerUrl: 'postgres://db.example:5432/wheelhouse',
      readerUrl: 'postgres://db.example:5432/wheelhouse',
      ssl: 'verify-full',
    });
  });

  it('reads the writer and reader endpoints, the credentials and the Datadog tags', () => {
    const options = loadServiceOptions({
      DATABASE_WRITER_URL: 'postgres://writer:5432/w',
      DATABASE_READER_URL: 'postgres://reader:5432/w',
      PGUSER: 'app',
      PGPASSWORD: 's3cret',
      DD_AGENT_HOST: '169.254.1.1',
      DD_ENV: 'prod',
      DD_VERSION: '1.2.3',
    });
    expect(options.database).toMatchObject({
      writerUrl: 'postgres://writer:5432/w',
      readerUrl: 'postgres://reader:5432/w',
      user: 'app',
      password: 's3cret',
    });
    expect(options.metrics).toMatchObject({
      agentHost: '169.254.1.1',
      port: 8125,
      tags: { env: 'prod', service: 'wheelhouse', version: '1.2.3' },
    });
  });

  it.each([
    [{ PORT: 'http' }, 'PORT: must be an integer from 0 to 65535, got "http"'],
    [{ GRPC_PORT: '70000' }, 'GRPC_PORT: must be <= 65535, got "70000"'],
    [
      { DATABASE_URL: 'mysql://x/y' },
      'DATABASE_URL: must be a URL like postgres://host:5432/database, got "mysql://x/y"',
    ],
    [{ DATABASE_SSL: 'yes' }, 'DATABASE_SSL: must be off, require or verify-full, got "yes"'],
    [
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ],
    [{ DATABASE_URL: 'postgres://a/b', DATABASE_WRITER_URL: 'postgres://c/d' }, 'DATABASE_URL: set either'],
    [
      { DATABASE_READER_URL: 'postgres://a/b' },
      'DATABASE_WRITER_URL: must be set when DATABASE_READER_URL is set',
    ],
  ])('fails on %p with the variable, the value and the fix', (env, message) => {
    expect(() => loadServiceOptions(env)).toThrow(ConfigError);
    expect(() => loadServiceOptions(env)).toThrow(message);
  });
});

describe('poolConfig', () => {
  const options = loadServiceOptions({
    DATABASE_URL: 'postgres://localhost/x',
    PGUSER: 'env-user',
    PGPASSWORD: 'env-pw',
  }).database;

  it('takes the credentials from PGUSER/PGPASSWORD when the URL has none', () => {
    expect(poolConfig('postgres://cluster.example:6543/wheelhouse', options)).toMatchObject({
      host: 'cluster.example',
      port: 6543,
      database: 'wheelhouse',
      user: 'env-user',
      password: 'env-pw',
    });
  });

  it('lets credentials in the URL win', () => {
    expect(poolConfig('postgres://u:p%40ss@h/d', options)).toMatchObject({
      user: 'u',
      password: 'p@ss',
      port: 5432,
    });
  });
});
