/**
 * Ref callback that focuses an input once it is in the page. The `autofocus` attribute works only
 * for the first page load, not for screens the app swaps in, and the register is keyboard-first.
 */
export function focusOnMount(element: HTMLElement): void {
  queueMicrotask(() => {
    if (element.isConnected) element.focus();
  });
}
