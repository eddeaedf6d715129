/** Small builders for the widgets the dashboards use, so each dashboard reads as a list of graphs. */
import type { Widget } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/Widget';
import type { WidgetEvent } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/WidgetEvent';

/** One line (or bar) series of a time series: a metric query and how it is drawn. */
export interface Series {
  readonly q: string;
  readonly display?: 'line' | 'bars' | 'area';
}

/** A time series graph; `events` overlays events (deployments) on it. */
export function timeseries(
  title: string,
  series: readonly Series[],
  events: readonly WidgetEvent[] = [],
): Widget {
  return {
    definition: {
      type: 'timeseries',
      title,
      showLegend: true,
      requests: series.map((s) => ({ q: s.q, displayType: s.display ?? 'line' })),
      ...(events.length > 0 ? { events: [...events] } : {}),
    },
  };
}

/** A single number (the last value of a query). */
export function queryValue(title: string, q: string, precision = 0): Widget {
  return {
    definition: {
      type: 'query_value',
      title,
      precision,
      autoscale: true,
      requests: [{ q, aggregator: 'last' }],
    },
  };
}

/** A timeline of the events that match a query (deployments, task stops, failovers). */
export function eventTimeline(title: string, query: string): Widget {
  return { definition: { type: 'event_timeline', title, query } };
}

/** A group of widgets under one title, so a dashboard reads top to bottom by layer. */
export function group(title: string, widgets: readonly Widget[]): Widget {
  return { definition: { type: 'group', title, layoutType: 'ordered', widgets: [...widgets] } };
}

/** A note: text in Markdown. */
export function note(content: string): Widget {
  return { definition: { type: 'note', content, backgroundColor: 'white', fontSize: '14', showTick: false } };
}
