/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { ISignal, Signal } from '@lumino/signaling';

import { agentSettingsFrom, IAgentSettings } from './agent/settings';
import type { ICodeInterpreterSettings, TaskName } from './tokens';

/**
 * The user settings of the Code Interpreter, as every plugin reads them.
 *
 * #### Notes
 * One object for all plugins, so the settings are loaded once: the
 * settings plugin calls `update` with the composite settings when they load
 * and whenever the user edits them. Until then it holds the defaults.
 */
export class CodeInterpreterSettings implements ICodeInterpreterSettings {
  /**
   * The composite settings last given to `update`; empty until loaded.
   */
  get composite(): Readonly<Record<string, unknown>> {
    return this._composite;
  }

  /**
   * The agent's settings read from the composite.
   */
  get agent(): IAgentSettings {
    return this._agent;
  }

  /**
   * Emitted after each `update`.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * The model alias set for a task in `taskModels`, or `undefined` when it
   * is blank or `default` (the chat's alias then applies).
   */
  taskModel(task: TaskName): string | undefined {
    const taskModels = this._composite.taskModels;
    const alias =
      taskModels && typeof taskModels === 'object' && !Array.isArray(taskModels)
        ? (taskModels as Record<string, unknown>)[task]
        : undefined;
    return typeof alias === 'string' && alias.trim() && alias !== 'default'
      ? alias
      : undefined;
  }

  /**
   * Take new composite settings and tell the readers.
   */
  update(composite: Readonly<Record<string, unknown>>): void {
    this._composite = composite;
    this._agent = agentSettingsFrom(composite);
    this._changed.emit();
  }

  private _agent: IAgentSettings = agentSettingsFrom({});
  private _changed = new Signal<this, void>(this);
  private _composite: Readonly<Record<string, unknown>> = {};
}
