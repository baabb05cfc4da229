/** Instrumentation scope of every span the tracker makes. Kept in step with package.json. */
export const PACKAGE_NAME = '@spantrack/instrumentation';
export const PACKAGE_VERSION = '0.1.0';
