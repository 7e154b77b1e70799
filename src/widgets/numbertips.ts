/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { NUMBER_CLASS } from './numbermarks';

/**
 * Show the tooltip of the checked numbers under `host` on hover and focus,
 * and call `onActivate` when a matched one is clicked.
 *
 * #### Notes
 * One tooltip element per answer, placed under the number within the
 * answer (JupyterLab's side panels are containing blocks, so fixed
 * coordinates would miss), kept inside the answer's width. It repeats what
 * the marks' accessible names already say, so screen readers need not
 * reach it.
 *
 * @returns a function that removes the listeners and the tooltip.
 */
export function attachNumberTips(
  host: HTMLElement,
  onActivate: (mark: HTMLElement) => void
): () => void {
  const tip = document.createElement('div');
  tip.className = 'jp-CodeInterpreter-numberTip';
  tip.setAttribute('role', 'tooltip');
  tip.hidden = true;
  host.appendChild(tip);
  let shownFor: HTMLElement | null = null;

  const markOf = (target: EventTarget | null): HTMLElement | null =>
    target instanceof Element
      ? target.closest<HTMLElement>(`.${NUMBER_CLASS}`)
      : null;
  const show = (mark: HTMLElement) => {
    shownFor = mark;
    tip.textContent = mark.dataset.tip ?? '';
    tip.hidden = false;
    const box = mark.getBoundingClientRect();
    const within = host.getBoundingClientRect();
    const left = Math.min(
      box.left - within.left,
      within.width - tip.offsetWidth
    );
    tip.style.left = `${Math.max(0, left)}px`;
    tip.style.top = `${box.bottom - within.top + 4}px`;
  };
  const hide = () => {
    shownFor = null;
    tip.hidden = true;
  };
  const onOver = (event: Event) => {
    const mark = markOf(event.target);
    if (mark && mark !== shownFor) {
      show(mark);
    }
  };
  const onOut = (event: Event) => {
    const to = (event as MouseEvent | FocusEvent).relatedTarget;
    if (shownFor && !(to instanceof Node && shownFor.contains(to))) {
      hide();
    }
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && shownFor) {
      hide();
    }
  };
  const onClick = (event: Event) => {
    const mark = markOf(event.target);
    if (mark?.dataset.status === 'matched') {
      event.preventDefault();
      onActivate(mark);
    }
  };
  host.addEventListener('mouseover', onOver);
  host.addEventListener('focusin', onOver);
  host.addEventListener('mouseout', onOut);
  host.addEventListener('focusout', onOut);
  host.addEventListener('keydown', onKey);
  host.addEventListener('click', onClick);
  return () => {
    host.removeEventListener('mouseover', onOver);
    host.removeEventListener('focusin', onOver);
    host.removeEventListener('mouseout', onOut);
    host.removeEventListener('focusout', onOut);
    host.removeEventListener('keydown', onKey);
    host.removeEventListener('click', onClick);
    tip.remove();
  };
}
