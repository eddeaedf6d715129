import { PagerDutyConnection, routingKeyOverrideVariable } from '../../ops/pagerduty-connection';

describe('PagerDutyConnection', () => {
  it.each([
    ['prod', 'PAGERDUTY_ROUTING_KEY_PROD'],
    ['prod-eu', 'PAGERDUTY_ROUTING_KEY_PROD_EU'],
    ['dev.2', 'PAGERDUTY_ROUTING_KEY_DEV_2'],
  ])('reads the routing key override of %s from %s', (environment, variable) => {
    const connection = new PagerDutyConnection({ [variable]: ' key-value ' });
    expect(routingKeyOverrideVariable(environment)).toBe(variable);
    expect(connection.routingKeyOverride(environment)).toBe('key-value');
    expect(connection.routingKeyOverride('other')).toBeNull();
  });

  it('keeps only its own variables, read when it is made', () => {
    // GIVEN
    const env: NodeJS.ProcessEnv = { PAGERDUTY_TOKEN: 'abc', PAGERDUTY_EVENTS_URL: 'http://127.0.0.1:9/' };
    const connection = new PagerDutyConnection(env);

    // WHEN
    env.PAGERDUTY_TOKEN = '';

    // THEN
    expect(connection.hasToken).toBe(true);
    expect(connection.eventsUrl).toBe('http://127.0.0.1:9');
    expect(new PagerDutyConnection({}).hasToken).toBe(false);
    expect(new PagerDutyConnection({}).eventsUrl).toBe('https://events.pagerduty.com');
  });

  it('creates the client once, with the settings of its variables', () => {
    const connection = new PagerDutyConnection({
      PAGERDUTY_API_URL: 'http://127.0.0.1:9',
      PAGERDUTY_TIMEOUT_MS: '250',
    });
    const client = connection.pagerDuty();
    expect(client.settings).toMatchObject({ token: null, apiUrl: 'http://127.0.0.1:9', timeoutMs: 250 });
    expect(connection.pagerDuty()).toBe(client);
  });

  it('fails with the variable and what it must be when a setting is malformed', () => {
    const connection = new PagerDutyConnection({ PAGERDUTY_TIMEOUT_MS: 'soon' });
    expect(() => connection.pagerDuty()).toThrow(
      "The bot's PagerDuty settings are wrong: PAGERDUTY_TIMEOUT_MS must be a positive number of milliseconds, got soon.",
    );
  });
});
