/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { ServerConnection } from '@jupyterlab/services';

import type { IDataSource, IKernelState } from '../agent/tokens';
import { routeURL } from '../routes';
import { KernelTools } from './tools';

/**
 * Kernel tools whose state also holds the server's data sources (names and
 * schemas, from `GET code-interpreter/data-sources`), which the kernel
 * reaches with `connect(name)`.
 *
 * #### Notes
 * The sources are the server's, not the kernel's: the server reads their
 * schemas with its own connection and caches them. A failed fetch leaves
 * them out; the kernel's state still counts.
 */
export class DataSourceKernelTools extends KernelTools {
  /**
   * Construct the tools for one kernel connection.
   */
  constructor(options: DataSourceKernelTools.IOptions) {
    super(options);
    this._fetchDataSources = options.fetchDataSources;
  }

  /**
   * The kernel's state, with the server's data sources.
   */
  async state(): Promise<IKernelState> {
    const [state, dataSources] = await Promise.all([
      super.state(),
      this._fetchDataSources().catch((): IDataSource[] => [])
    ]);
    return dataSources.length ? { ...state, dataSources } : state;
  }

  private _fetchDataSources: () => Promise<IDataSource[]>;
}

/**
 * The namespace for `DataSourceKernelTools` statics.
 */
export namespace DataSourceKernelTools {
  /**
   * The options to construct `DataSourceKernelTools`.
   */
  export interface IOptions extends KernelTools.IOptions {
    /** Loads the data sources (usually `fetchDataSources`). */
    fetchDataSources: () => Promise<IDataSource[]>;
  }

  /**
   * The server's data sources, from `GET <base_url>/code-interpreter/data-sources`.
   */
  export async function fetchDataSources(
    settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ): Promise<IDataSource[]> {
    const url = routeURL(settings, 'data-sources');
    const response = await ServerConnection.makeRequest(url, {}, settings);
    if (!response.ok) {
      throw new Error(
        `the server answered ${response.status} ${response.statusText}`
      );
    }
    const body = (await response.json()) as { sources?: IDataSource[] };
    return Array.isArray(body.sources) ? body.sources : [];
  }
}
