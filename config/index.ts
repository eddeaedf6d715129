export * from './cidr';
export * from './config-error';
export * from './forwarded-events';
export * from './load';
export * from './names';
export * from './resolve';
export * from './schema';
export * from './types';
