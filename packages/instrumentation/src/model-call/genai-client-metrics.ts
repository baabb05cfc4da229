import type { Histogram, Meter } from '@opentelemetry/api';

// The GenAI client metrics, named as the GenAI metric conventions name them (copied here, as the
// semantic-conventions README asks of libraries: the GenAI names are still incubating).
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const GEN_AI_TOKEN_TYPE_VALUE_INPUT = 'input';
export const GEN_AI_TOKEN_TYPE_VALUE_OUTPUT = 'output';

/** Bucket boundaries the GenAI metric conventions advise for each histogram. */
export const DURATION_BUCKETS_SECONDS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
export const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

/** The two histograms every model call records to. */
export interface GenAiClientHistograms {
  /** `gen_ai.client.operation.duration`, seconds. */
  duration: Histogram;
  /** `gen_ai.client.token.usage`, by `gen_ai.token.type`. */
  tokens: Histogram;
}

/**
 * Creates the GenAI client histograms on `meter`. An `InstrumentationBase` calls it from
 * `_updateMetricInstruments`, so the histograms follow the meter provider it is given.
 */
export function createGenAiClientHistograms(meter: Meter): GenAiClientHistograms {
  return {
    duration: meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, {
      description: 'GenAI operation duration',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
    }),
    tokens: meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
      description: 'Measures number of input and output tokens used',
      unit: '{token}',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    }),
  };
}
