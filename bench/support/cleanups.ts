/**
 * What a benchmark must undo (stop the proxy, remove its directory...),
 * registered as each thing is set up, and undone last-first even when the
 * set-up failed half-way.
 */
export class Cleanups {
  readonly #steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.#steps.push(step);
  }

  /** Runs every step, newest first; the first failure is thrown once all have run. */
  async run(): Promise<void> {
    let failure: unknown;
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
