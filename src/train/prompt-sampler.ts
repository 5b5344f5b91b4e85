/**
 * Seeded prompt order: epochs over the training problems, each a fresh
 * permutation drawn from (seed, epoch). The state is two integers, so
 * checkpoints stay small on large datasets and a resumed run continues with
 * exactly the prompts an uninterrupted one would get.
 */
import { Rng } from '../util/rng.ts';

export interface PromptSamplerState {
  epoch: number;
  cursor: number;
}

export class PromptSampler<P> {
  private epoch = 0;
  private cursor = 0;
  private order: number[];

  constructor(
    private readonly items: readonly P[],
    private readonly seed: number,
  ) {
    if (items.length === 0) throw new Error('no training prompts: the task has an empty train split');
    this.order = this.permutation(0);
  }

  private permutation(epoch: number): number[] {
    return new Rng(`prompts:${this.seed}:${epoch}`).shuffle(this.items.map((_, i) => i));
  }

  next(): P {
    if (this.cursor >= this.order.length) {
      this.epoch++;
      this.cursor = 0;
      this.order = this.permutation(this.epoch);
    }
    return this.items[this.order[this.cursor++]];
  }

  state(): PromptSamplerState {
    return { epoch: this.epoch, cursor: this.cursor };
  }

  loadState(s: PromptSamplerState): void {
    this.epoch = s.epoch;
    this.cursor = s.cursor;
    this.order = this.permutation(s.epoch);
  }
}
