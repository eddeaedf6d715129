import { classifyQueryError } from '../../service/db/connection-failure';

const pgError = (code: string) => Object.assign(new Error(`SQLSTATE ${code}`), { code });

describe('classifyQueryError', () => {
  it.each([
    ['a write on a read-only node (25006)', pgError('25006'), 'read-only'],
    ['an administrator shutdown (57P01)', pgError('57P01'), 'connection-lost'],
    ['a node that cannot take connections now (57P03)', pgError('57P03'), 'connection-lost'],
    ['a connection failure (08006)', pgError('08006'), 'connection-lost'],
    [
      'a reset socket',
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      'connection-lost',
    ],
    [
      'a connection that ended under the query',
      new Error('Connection terminated unexpectedly'),
      'connection-lost',
    ],
    ['a unique violation (23505)', pgError('23505'), undefined],
    ['a syntax error (42601)', pgError('42601'), undefined],
    ['a thrown string', 'boom', undefined],
  ])('classifies %s as %p', (_name, error, kind) => {
    expect(classifyQueryError(error)).toBe(kind);
  });
});
