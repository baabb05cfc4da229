import { deprecatedOnce } from './deprecation';
import type { SettingWarn, SharedSetting } from './shared-settings';

export type SettingsEnv = Readonly<Record<string, string | undefined>>;

/** A value read from the environment, and the variable it came from (for error messages). */
export interface SettingRead<T> {
  value: T;
  source: string;
}

export interface ReadSettingOptions {
  /** Also read the collector's deprecated spellings (with one warning each). @default false */
  deprecatedAliases?: boolean;
  warn: SettingWarn;
}

/** The collector read `1` / `yes` / `0` / `no` as booleans: its old spellings keep that meaning. */
const LEGACY_BOOLEANS: Readonly<Record<string, string>> = {
  '1': 'true',
  yes: 'true',
  '0': 'false',
  no: 'false',
};

function legacyValue(setting: SharedSetting, raw: string): string {
  return setting.flagType === 'boolean' ? (LEGACY_BOOLEANS[raw.trim().toLowerCase()] ?? raw) : raw;
}

function text(env: SettingsEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw;
}

/** `SPANTRACK_<NAME>`, then (collector) its deprecated spellings, then the standard variable. */
export function readSetting<T>(
  setting: SharedSetting<T>,
  env: SettingsEnv,
  options: ReadSettingOptions,
): SettingRead<T> | undefined {
  if (setting.env === undefined) return undefined;
  const aliases = options.deprecatedAliases === true ? setting.deprecatedEnv : [];
  for (const name of [setting.env, ...aliases, setting.standardEnv]) {
    if (name === undefined) continue;
    const raw = text(env, name);
    if (raw === undefined) continue;
    const old = name !== setting.env && name !== setting.standardEnv;
    if (old) warnDeprecatedEnv(setting, name, options.warn);
    return { value: setting.parse(old ? legacyValue(setting, raw) : raw, name, options.warn), source: name };
  }
  return undefined;
}

function warnDeprecatedEnv(setting: SharedSetting, name: string, warn: SettingWarn): void {
  deprecatedOnce(
    name,
    `${name} is deprecated: use ${setting.env}${setting.flag !== undefined ? ` (or --${setting.flag})` : ''}, which @spantrack/node reads too`,
    warn,
  );
}

/**
 * The environment with every deprecated spelling moved to its `SPANTRACK_<NAME>` (unless that is
 * set: it wins), one warning per spelling. The CLI does this once, so that the processes it forks
 * read the new names only and nothing is said twice.
 */
export function renameDeprecatedEnv(
  settings: Iterable<SharedSetting>,
  env: Record<string, string | undefined>,
  warn: SettingWarn,
): Record<string, string | undefined> {
  const out = { ...env };
  for (const setting of settings) {
    if (setting.env === undefined) continue;
    for (const alias of setting.deprecatedEnv) {
      const raw = text(out, alias);
      // Only a spelling that is used is said: one the new name overrides is left alone.
      if (raw === undefined || text(out, setting.env) !== undefined) continue;
      warnDeprecatedEnv(setting, alias, warn);
      out[setting.env] = legacyValue(setting, raw);
      delete out[alias];
    }
  }
  return out;
}
