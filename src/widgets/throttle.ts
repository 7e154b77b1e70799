/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * Runs a callback at most once per interval, with a trailing call.
 *
 * #### Notes
 * Used to re-render streaming markdown: the first request runs at once,
 * later ones within the interval collapse into one call at its end, and
 * `flush` runs a pending call now (the final render of an answer).
 */
export class Throttle {
  /**
   * Create a throttle.
   *
   * @param callback - what to run.
   * @param interval - the minimum time between two runs, in milliseconds.
   */
  constructor(
    private readonly _callback: () => void,
    private readonly _interval: number
  ) {}

  /**
   * Ask for a run: now if the interval has passed, else at its end.
   */
  request(): void {
    if (this._disposed || this._timer !== null) {
      return;
    }
    const wait = this._last + this._interval - Date.now();
    if (wait <= 0) {
      this._run();
    } else {
      this._timer = setTimeout(() => this._run(), wait);
    }
  }

  /**
   * Run now, cancelling any pending run.
   */
  flush(): void {
    if (!this._disposed) {
      this._run();
    }
  }

  /**
   * Cancel any pending run and refuse later ones.
   */
  dispose(): void {
    this._cancel();
    this._disposed = true;
  }

  private _run(): void {
    this._cancel();
    this._last = Date.now();
    this._callback();
  }

  private _cancel(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _disposed = false;
  private _last = -Infinity;
  private _timer: ReturnType<typeof setTimeout> | null = null;
}
