/** Deploy freeze windows: is `now` inside one, in the project's time zone. */
import type { FreezeWindowConfig } from '../../config';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** The freeze window `now` falls in, or null. `to` is exclusive; `24:00` means the end of the day. */
export function activeFreezeWindow(
  windows: readonly FreezeWindowConfig[],
  now: Date,
  timeZone: string,
): FreezeWindowConfig | null {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3);
  const minutes = Number(get('hour')) * 60 + Number(get('minute'));
  if (!WEEKDAYS.includes(day as (typeof WEEKDAYS)[number])) return null;
  for (const window of windows) {
    if (!window.days.includes(day as FreezeWindowConfig['days'][number])) continue;
    if (minutes >= toMinutes(window.from) && minutes < toMinutes(window.to)) return window;
  }
  return null;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
