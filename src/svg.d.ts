/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

declare module '*.svg' {
  const value: string;
  export default value;
}
