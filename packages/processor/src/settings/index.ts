export { loadPriceTable, priceTableOf } from '../normalize/load-prices';
export type { ModelPrice, PriceTable } from '../normalize/price-table';
export { deprecatedOnce } from './deprecation';
export {
  type ReadSettingOptions,
  readSetting,
  renameDeprecatedEnv,
  type SettingRead,
  type SettingsEnv,
} from './read-setting';
export { MAX_TIMEOUT_MILLIS } from './setting-parsers';
export {
  LOG_LEVELS,
  type SettingWarn,
  SHARED_SETTINGS,
  type SharedLogLevel,
  type SharedSetting,
  type SharedSettingId,
  type SharedSinkName,
  SINK_NAMES,
} from './shared-settings';
