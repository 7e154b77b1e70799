/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IEmptyStateView } from '../llm/emptystate';
import { codeInterpreterIcon } from '../icons';

/**
 * What an empty conversation shows: a welcome, or how to configure a model.
 */
export function EmptyState(props: EmptyState.IProps): JSX.Element {
  const { view, trans } = props;
  return (
    <div
      className="jp-CodeInterpreter-emptyState"
      data-configured={
        view.configured === null ? undefined : `${view.configured}`
      }
    >
      <codeInterpreterIcon.react
        className="jp-CodeInterpreter-emptyStateIcon"
        tag="div"
      />
      <h3 className="jp-CodeInterpreter-emptyStateTitle">{view.title}</h3>
      <p className="jp-CodeInterpreter-guidance">{view.guidance}</p>
      {view.offerSettings && (
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject jp-CodeInterpreter-openSettings"
          aria-label={trans.__('Open the Code Interpreter settings')}
          onClick={props.onOpenSettings}
        >
          {trans.__('Open Settings')}
        </button>
      )}
    </div>
  );
}

/**
 * A namespace for `EmptyState` statics.
 */
export namespace EmptyState {
  /**
   * The properties of the empty state.
   */
  export interface IProps {
    view: IEmptyStateView;
    onOpenSettings: () => void;
    trans: TranslationBundle;
  }
}
