/** `wheelhouse status` as lines: what `/status` shows in Slack, one fact per line, times in UTC. */
import { statusLines } from '../../cli/status-lines';
import type { ServiceStatus } from '../../ops/service-status';

const since = new Date('2026-11-25T12:00:00Z');

/** A status as `readServiceStatus` returns it for a running environment; `change` edits it. */
function status(change: Partial<ServiceStatus> = {}): ServiceStatus {
  return {
    stackName: 'wheelhouse-dev',
    stackStatus: 'UPDATE_COMPLETE',
    service: {
      name: 'wheelhouse-dev-service',
      status: 'ACTIVE',
      running: 2,
      desired: 2,
      pending: 0,
      rollout: { state: 'COMPLETED', reason: null },
      image: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/wheelhouse/service:v1.4.2',
      version: 'v1.4.2',
    },
    scaling: { min: 2, max: 6 },
    configuredScaling: { min: 1, max: 4 },
    lock: null,
    database: {
      id: 'wheelhouse-dev-db',
      status: 'available',
      engineVersion: '16.4',
      writer: 'wheelhouse-dev-db-writer',
      readers: ['wheelhouse-dev-db-reader1'],
      capacity: { min: 0.5, max: 2 },
    },
    recentDeployments: [
      {
        status: 'ROLLBACK_SUCCESSFUL',
        rolloutState: null,
        reason: 'circuit breaker',
        startedAt: since,
        finishedAt: null,
      },
    ],
    unreadable: [],
    ...change,
  };
}

describe('statusLines', () => {
  it('prints every part, the bounds /scale changed, the database and the deployments', () => {
    expect(statusLines('dev', status(), 'wh-000000000001')).toEqual([
      'dev:',
      '  Stack:        wheelhouse-dev (UPDATE_COMPLETE)',
      '  Service:      wheelhouse-dev-service (ACTIVE)',
      '  Tasks:        2 running / 2 desired / 0 pending',
      '  Rollout:      COMPLETED',
      '  Version:      v1.4.2',
      '  Image:        111111111111.dkr.ecr.eu-west-1.amazonaws.com/wheelhouse/service:v1.4.2',
      '  Autoscaling:  2–6 tasks (the stack configures 1–4)',
      '  Deploy lock:  free',
      '  Database:     wheelhouse-dev-db (available), 0.5–2 ACU',
      '  Writer:       wheelhouse-dev-db-writer',
      '  Readers:      wheelhouse-dev-db-reader1',
      'Recent deployments:',
      '  2026-11-25T12:00:00.000Z  ROLLBACK_SUCCESSFUL (circuit breaker)',
    ]);
  });

  it('names who holds the lock and until when', () => {
    const lock = {
      owner: 'ci:octocat@acme/wheelhouse#7',
      ownerName: 'ci:octocat@acme/wheelhouse#7',
      reason: 'deploy v1.5.0',
      kind: 'deploy' as const,
      since,
      expiresAt: new Date('2026-11-25T12:30:00Z'),
      token: 'never printed',
      rvn: 'never printed either',
      stale: false,
    };
    const lines = statusLines('dev', status({ lock }), 'wh-000000000001');
    expect(lines).toContain(
      '  Deploy lock:  held by ci:octocat@acme/wheelhouse#7 (ci:octocat@acme/wheelhouse#7) since 2026-11-25T12:00:00.000Z, expires 2026-11-25T12:30:00.000Z: deploy v1.5.0',
    );
    expect(lines.join('\n')).not.toContain('never printed');
  });

  it('marks the parts that could not be read, and names the correlation id of a logged failure', () => {
    const lines = statusLines(
      'dev',
      status({
        scaling: null,
        recentDeployments: [],
        unreadable: [
          {
            part: 'autoscaling',
            action: 'application-autoscaling:DescribeScalableTargets',
            reason: 'access denied',
            logged: false,
          },
          {
            part: 'deployments',
            action: 'ecs:ListServiceDeployments',
            reason: 'socket hang up',
            logged: true,
          },
        ],
      }),
      'wh-000000000001',
    );
    expect(lines).toContain('  Autoscaling:  (could not be read)');
    expect(lines.slice(-5)).toEqual([
      'Recent deployments:',
      '  (could not be read)',
      'Could not read:',
      '  Autoscaling: access denied',
      '  Recent deployments: socket hang up (logged with id wh-000000000001)',
    ]);
  });
});
