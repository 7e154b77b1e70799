/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { ITranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';

import { DEFAULT_AGENT_SETTINGS } from '../agent/settings';
import plugins from '../index';
import { CodeInterpreterSettings } from '../settings';
import { ICodeInterpreterSettings } from '../tokens';

describe('CodeInterpreterSettings', () => {
  it('holds the defaults until the settings load', () => {
    const settings = new CodeInterpreterSettings();
    expect(settings.composite).toEqual({});
    expect(settings.agent).toEqual(DEFAULT_AGENT_SETTINGS);
    expect(settings.taskModel('explain')).toBeUndefined();
  });

  it('reads the agent settings of each update and tells the readers', () => {
    const settings = new CodeInterpreterSettings();
    const seen: number[] = [];
    settings.changed.connect(s => seen.push(s.agent.repairBudget));
    settings.update({ repairBudget: 5, approvalMode: 'auto' });
    expect(settings.agent.repairBudget).toBe(5);
    expect(settings.agent.approvalMode).toBe('auto');
    settings.update({});
    expect(seen).toEqual([5, DEFAULT_AGENT_SETTINGS.repairBudget]);
  });

  it('gives a task its own alias, and none for blank or `default`', () => {
    const settings = new CodeInterpreterSettings();
    settings.update({
      taskModels: { explain: 'fast', fix: 'default', chat: '  ' }
    });
    expect(settings.taskModel('explain')).toBe('fast');
    expect(settings.taskModel('fix')).toBeUndefined();
    expect(settings.taskModel('chat')).toBeUndefined();
    settings.update({ taskModels: ['fast'] });
    expect(settings.taskModel('explain')).toBeUndefined();
    settings.update({ taskModels: { explain: 7 } });
    expect(settings.taskModel('explain')).toBeUndefined();
  });
});

describe('the settings plugin', () => {
  const settingsPlugin = plugins.find(
    p => p.id === 'jupyterlab-code-interpreter:settings'
  )!;

  /**
   * A setting registry holding one plugin's settings, which the test edits.
   */
  function registryWith(composite: Record<string, unknown>) {
    const changed = new Signal<unknown, void>({});
    const loaded = { composite, changed };
    const load = jest.fn(async () => loaded);
    const registry = { load } as unknown as ISettingRegistry;
    const edit = (next: Record<string, unknown>): void => {
      loaded.composite = next;
      changed.emit();
    };
    return { registry, load, edit };
  }

  const app = {} as JupyterFrontEnd;

  it('provides the settings token', () => {
    expect(settingsPlugin.provides).toBe(ICodeInterpreterSettings);
  });

  it('loads the settings once and follows the edits', async () => {
    const { registry, load, edit } = registryWith({ repairBudget: 4 });
    const settings = settingsPlugin.activate(
      app,
      registry
    ) as ICodeInterpreterSettings;
    const changes = jest.fn();
    settings.changed.connect(changes);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(load).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledWith('jupyterlab-code-interpreter:plugin');
    expect(settings.agent.repairBudget).toBe(4);
    edit({ repairBudget: 2, taskModels: { fix: 'careful' } });
    expect(settings.agent.repairBudget).toBe(2);
    expect(settings.taskModel('fix')).toBe('careful');
    expect(changes).toHaveBeenCalledTimes(2);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('fetches its schema alone in another language, for the form to be translated', async () => {
    const { registry, load } = registryWith({ repairBudget: 6 });
    const reload = jest.fn(load);
    Object.assign(registry, { reload, load: jest.fn() });
    const chinese = { languageCode: 'zh-CN' } as ITranslator;
    const settings = settingsPlugin.activate(
      app,
      registry,
      chinese
    ) as ICodeInterpreterSettings;
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(reload).toHaveBeenCalledTimes(1);
    expect(reload).toHaveBeenCalledWith('jupyterlab-code-interpreter:plugin');
    expect(registry.load).not.toHaveBeenCalled();
    expect(settings.agent.repairBudget).toBe(6);

    const english = registryWith({});
    settingsPlugin.activate(app, english.registry, {
      languageCode: 'en'
    } as ITranslator);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(english.load).toHaveBeenCalledTimes(1);
  });

  it('keeps the defaults without a setting registry', () => {
    const settings = settingsPlugin.activate(
      app,
      null
    ) as ICodeInterpreterSettings;
    expect(settings.agent).toEqual(DEFAULT_AGENT_SETTINGS);
  });
});
