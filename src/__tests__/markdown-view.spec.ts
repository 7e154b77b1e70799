/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { Throttle } from '../widgets/throttle';

describe('Throttle', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs at once, then at most once per interval with a trailing run', () => {
    const callback = jest.fn();
    const throttle = new Throttle(callback, 50);
    throttle.request();
    expect(callback).toHaveBeenCalledTimes(1);
    throttle.request();
    throttle.request();
    expect(callback).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(50);
    expect(callback).toHaveBeenCalledTimes(2);
  });

  it('flushes a pending run now', () => {
    const callback = jest.fn();
    const throttle = new Throttle(callback, 50);
    throttle.request();
    throttle.request();
    throttle.flush();
    expect(callback).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(100);
    expect(callback).toHaveBeenCalledTimes(2);
  });

  it('does nothing once disposed', () => {
    const callback = jest.fn();
    const throttle = new Throttle(callback, 50);
    throttle.request();
    throttle.request();
    throttle.dispose();
    jest.advanceTimersByTime(100);
    throttle.flush();
    expect(callback).toHaveBeenCalledTimes(1);
  });
});
