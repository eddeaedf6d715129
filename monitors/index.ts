export * from './dashboards';
export * from './datadog-links';
export * from './monitors';
export * from './routes';
export * from './tags';
export * from './types';
