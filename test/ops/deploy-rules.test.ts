import type { FreezeWindowConfig } from '../../config';
import { activeFreezeWindow } from '../../ops/deploy/freeze-windows';
import { closestTags } from '../../ops/deploy/image-tags';

const WINDOWS: FreezeWindowConfig[] = [
  { days: ['fri'], from: '15:00', to: '24:00', reason: 'no prod deploys on Friday afternoon' },
  { days: ['sat', 'sun'], from: '00:00', to: '24:00', reason: 'no prod deploys at the weekend' },
];

describe('freeze windows (Europe/Berlin)', () => {
  it.each([
    ['Friday 14:59 Berlin is open', '2026-11-27T13:59:00Z', null],
    ['Friday 15:00 Berlin is frozen', '2026-11-27T14:00:00Z', 'no prod deploys on Friday afternoon'],
    ['Friday 23:59 Berlin is frozen', '2026-11-27T22:59:00Z', 'no prod deploys on Friday afternoon'],
    [
      'Saturday 00:30 Berlin is frozen, though it is Friday in UTC',
      '2026-11-27T23:30:00Z',
      'no prod deploys at the weekend',
    ],
    ['Monday 09:00 Berlin is open', '2026-11-30T08:00:00Z', null],
    [
      'Friday 15:30 Berlin in summer time is frozen',
      '2026-07-03T13:30:00Z',
      'no prod deploys on Friday afternoon',
    ],
  ])('%s', (_name, at, reason) => {
    expect(activeFreezeWindow(WINDOWS, new Date(at), 'Europe/Berlin')?.reason ?? null).toBe(reason);
  });
});

describe('closest image tags', () => {
  const tags = ['v1.4.2', 'v1.5.0', 'v1.5.1', 'v2.0.0-rc1', 'main-3f2a1b9', 'latest'];
  it.each([
    ['a missing patch number', 'v1.5', ['v1.5.0', 'v1.5.1', 'v1.4.2']],
    ['a typo', 'v1.5.O', ['v1.5.0', 'v1.5.1', 'v1.4.2']],
    ['a commit tag with a short sha', 'main-3f2a', ['main-3f2a1b9']],
    ['nothing alike', 'zzzzzzzzzzzzzzzzzzzz', []],
  ])('suggests close tags for %s', (_name, wanted, expected) => {
    expect(closestTags(wanted, tags, 3)).toEqual(expected);
  });
});
