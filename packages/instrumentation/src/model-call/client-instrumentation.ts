import {
  InstrumentationBase,
  type InstrumentationConfig,
  InstrumentationNodeModuleDefinition,
} from '@opentelemetry/instrumentation';
import { createGenAiClientHistograms, type GenAiClientHistograms } from './genai-client-metrics';

/**
 * What an LLM-client instrumentation shares: the one module it patches, and the GenAI client
 * histograms, made again whenever a meter provider is set.
 */
export abstract class GenAiClientInstrumentation<
  Config extends InstrumentationConfig,
  ModuleExports,
> extends InstrumentationBase<Config> {
  // `declare`: a plain field would be re-initialised after super() has set it.
  declare protected histograms: GenAiClientHistograms;

  protected init() {
    // A method, not a constructor argument: the base class calls `init` from its own constructor.
    const module = this.patchedModule();
    return [
      new InstrumentationNodeModuleDefinition(
        module.name,
        module.supportedVersions,
        (moduleExports: ModuleExports) => this.patch(moduleExports),
        (moduleExports: ModuleExports | undefined) => this.unpatch(moduleExports),
      ),
    ];
  }

  protected override _updateMetricInstruments(): void {
    this.histograms = createGenAiClientHistograms(this.meter);
  }

  /** The npm module this instrumentation patches, and its supported version ranges. */
  protected abstract patchedModule(): { name: string; supportedVersions: string[] };

  /** Wraps the module's client methods; returns the exports. */
  protected abstract patch(moduleExports: ModuleExports): ModuleExports;

  /** Unwraps what `patch` wrapped. */
  protected abstract unpatch(moduleExports: ModuleExports | undefined): void;
}
