import { createDatadogClient, readDatadogSettings } from '../../clients/datadog-client';
import { errorForStatus, toMonitoringError } from '../../clients/monitoring-error';
import { readPagerDutySettings } from '../../clients/pagerduty-client';

describe('readDatadogSettings', () => {
  it('defaults to the configured site and Datadog’s own API', () => {
    expect(readDatadogSettings({}, 'datadoghq.eu')).toEqual({
      apiKey: null,
      appKey: null,
      site: 'datadoghq.eu',
      baseUrl: 'https://api.datadoghq.eu',
      timeoutMs: 10_000,
      maxRetries: 3,
    });
  });

  it('takes DD_SITE, DATADOG_API_URL and DATADOG_TIMEOUT_MS from the environment', () => {
    const settings = readDatadogSettings(
      {
        DD_API_KEY: 'k',
        DD_APP_KEY: 'a',
        DD_SITE: 'us5.datadoghq.com',
        DATADOG_API_URL: 'http://proxy:8080/',
        DATADOG_TIMEOUT_MS: '2500',
      },
      'datadoghq.eu',
    );
    expect(settings).toMatchObject({
      site: 'us5.datadoghq.com',
      baseUrl: 'http://proxy:8080',
      timeoutMs: 2500,
    });
  });

  it('fails on a timeout that is not a number', () => {
    expect(() => readDatadogSettings({ DATADOG_TIMEOUT_MS: 'soon' })).toThrow(
      'DATADOG_TIMEOUT_MS must be a positive number of milliseconds, got soon',
    );
  });

  it.each([
    [{ DD_APP_KEY: 'a' }, 'DD_API_KEY is not set'],
    [{ DD_API_KEY: 'k' }, 'DD_APP_KEY is not set'],
    [{}, 'DD_API_KEY and DD_APP_KEY are not set'],
  ])('refuses to create a client with %j: %s', (env, message) => {
    expect(() => createDatadogClient(readDatadogSettings(env))).toThrow(message);
  });
});

describe('readPagerDutySettings', () => {
  it('defaults to PagerDuty’s own APIs', () => {
    expect(readPagerDutySettings({})).toEqual({
      token: null,
      apiUrl: 'https://api.pagerduty.com',
      eventsUrl: 'https://events.pagerduty.com',
      timeoutMs: 10_000,
      retryDelayMs: 500,
    });
  });
});

describe('errors', () => {
  it.each([
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [404, 'not-found'],
    [400, 'rejected'],
    [429, 'unavailable'],
    [503, 'unavailable'],
  ])('maps HTTP %d to %s', (status, code) => {
    expect(errorForStatus('datadog', 'list monitors', status).code).toBe(code);
  });

  it('converts the Datadog client’s ApiException with its error messages', () => {
    const error = toMonitoringError('datadog', 'create monitor x', {
      code: 400,
      body: { errors: ['bad query'] },
    });
    expect(error).toMatchObject({
      code: 'rejected',
      status: 400,
      message: 'Datadog rejected create monitor x (400): bad query',
    });
  });

  it('converts a network error to unavailable', () => {
    expect(toMonitoringError('pagerduty', 'read service', new Error('ECONNREFUSED'))).toMatchObject({
      code: 'unavailable',
      message: 'PagerDuty could not be reached to read service: ECONNREFUSED',
    });
  });
});
