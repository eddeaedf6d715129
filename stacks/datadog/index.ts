export * from './datadog-agent-sidecar';
export * from './datadog-integration-role';
export * from './event-forwarding';
export * from './unified-service-tags';
