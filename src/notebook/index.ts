/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

export * from './approvals';
export * from './bridge';
export * from './execute';
export * from './host';
export * from './metadata';
export * from './proposal';
