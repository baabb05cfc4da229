import type { Attributes, Counter } from '@opentelemetry/api';

interface Sum {
  attributes: Attributes;
  value: number;
}

/**
 * Counter increments of one batch, added up per counter and label set and handed to the SDK once
 * each: an SDK `add` with labels costs microseconds (it hashes the labels every time), and a batch
 * of thousands of messages has a handful of distinct label sets.
 */
export class CounterTally {
  private readonly sums = new Map<Counter, Map<string, Sum>>();

  /** `key` names the label set (its values joined), so that a batch never hashes labels per message. */
  add(counter: Counter, value: number, key: string, attributes: Attributes): void {
    let byLabels = this.sums.get(counter);
    if (byLabels === undefined) {
      byLabels = new Map();
      this.sums.set(counter, byLabels);
    }
    const sum = byLabels.get(key);
    if (sum === undefined) byLabels.set(key, { attributes, value });
    else sum.value += value;
  }

  /** Adds every sum to its counter, and forgets them. */
  flush(): void {
    for (const [counter, byLabels] of this.sums) {
      for (const { attributes, value } of byLabels.values()) counter.add(value, attributes);
    }
    this.sums.clear();
  }
}
