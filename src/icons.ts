/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { LabIcon } from '@jupyterlab/ui-components';

import codeInterpreterSvg from '../style/icons/code-interpreter.svg';

/**
 * The Code Interpreter icon: a chat bubble holding a prompt.
 *
 * #### Notes
 * Its name is the `jupyter.lab.setting-icon` of the plugin schema.
 */
export const codeInterpreterIcon = new LabIcon({
  name: 'jupyterlab-code-interpreter:icon',
  svgstr: codeInterpreterSvg
});
