export * from './attributes';
export * from './events';
export * from './values';
