/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * The points of a turn the loop-overhead benchmark measures
 * (`benchmarks/loop_overhead.md`), as User Timing mark names.
 */
export const TimingMarks = {
  /** A `run_python` call's arguments are complete (its reply finished streaming). */
  toolCallComplete: 'code-interpreter:tool-call-complete',
  /** Right before the step's cell is sent to the kernel. */
  executeRequest: 'code-interpreter:execute-request',
  /** The step's execution reply arrived (the kernel is idle again). */
  kernelIdle: 'code-interpreter:kernel-idle',
  /** Right before each request to the model. */
  modelRequest: 'code-interpreter:model-request'
} as const;

/**
 * Record a User Timing mark.
 *
 * #### Notes
 * Marks cost about a microsecond and are read by tests and benchmarks with
 * `performance.getEntriesByType('mark')`; where the Performance API is
 * missing this does nothing.
 */
export function markTiming(
  name: (typeof TimingMarks)[keyof typeof TimingMarks]
): void {
  if (typeof performance !== 'undefined' && performance.mark) {
    performance.mark(name);
  }
}
