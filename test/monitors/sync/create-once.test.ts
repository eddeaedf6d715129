import { errorForStatus } from '../../../clients/monitoring-error';
import { createOnce } from '../../../monitors/sync/create-once';

describe('createOnce', () => {
  it('does not look nor retry after a 4xx: nothing was created', async () => {
    const create = jest.fn(async () => {
      throw errorForStatus('datadog', 'create monitor x', 400, 'bad query');
    });
    const findExisting = jest.fn(async () => null);
    await expect(
      createOnce({ operation: 'create monitor x', create, findExisting, delayMs: 0 }),
    ).rejects.toMatchObject({
      code: 'rejected',
    });
    expect(create).toHaveBeenCalledTimes(1);
    expect(findExisting).not.toHaveBeenCalled();
  });

  it('returns what landed when a create answered 5xx', async () => {
    const create = jest.fn(async (): Promise<string> => {
      throw errorForStatus('datadog', 'create monitor x', 502);
    });
    const found = await createOnce({
      operation: 'create monitor x',
      create,
      findExisting: async () => 'landed',
      delayMs: 0,
    });
    expect(found).toBe('landed');
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('creates again only when the failed create did not land, and gives up after its attempts', async () => {
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls < 3) throw errorForStatus('datadog', 'create monitor x', 503);
      return 'created';
    };
    expect(
      await createOnce({
        operation: 'create monitor x',
        create: flaky,
        findExisting: async () => null,
        delayMs: 0,
      }),
    ).toBe('created');
    expect(calls).toBe(3);
    const down = jest.fn(async (): Promise<string> => {
      throw errorForStatus('datadog', 'create monitor x', 500);
    });
    await expect(
      createOnce({
        operation: 'create monitor x',
        create: down,
        findExisting: async () => null,
        attempts: 2,
        delayMs: 0,
      }),
    ).rejects.toMatchObject({ code: 'unavailable' });
    expect(down).toHaveBeenCalledTimes(2);
  });
});
