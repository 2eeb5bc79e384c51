// Paying without leaving the page (a placeholder's data-checkout="embedded"): Stripe's embedded Checkout in a modal
// <dialog> of the banner's own. Stripe.js is loaded only now, when a donor has chosen to pay, from the address the
// API's checkout answer names (`stripeJsUrl`: Stripe's own, https://js.stripe.com/v3/, unless the API serves a
// stand-in, as the dev server does), with the answer's `publishableKey` and `clientSecret`. A modal dialog keeps
// focus inside it and makes the page behind it inert; Escape and the close button end it.
import { h } from './dom.js';

export const STRIPE_JS = 'https://js.stripe.com/v3/';

interface EmbeddedCheckout {
  mount(where: HTMLElement): void;
  destroy(): void;
}
type StripeFactory = (publishableKey: string) => {
  initEmbeddedCheckout(options: { fetchClientSecret: () => Promise<string>; onComplete?: () => void }): Promise<EmbeddedCheckout>;
};

const loaded = new Map<string, Promise<StripeFactory>>();
/** Stripe.js from `src`, once per page (a page that already has it keeps its own). */
const loadStripe = (src: string): Promise<StripeFactory> => {
  const page = window as { Stripe?: StripeFactory };
  if (page.Stripe) return Promise.resolve(page.Stripe);
  let loading = loaded.get(src);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = h('script', { src, async: true });
      script.onload = () => (page.Stripe ? resolve(page.Stripe) : reject(new Error('Stripe.js defined no Stripe')));
      script.onerror = () => {
        loaded.delete(src);
        script.remove();
        reject(new Error('Stripe.js did not load'));
      };
      document.head.append(script);
    });
    loaded.set(src, loading);
  }
  return loading;
};

export interface InPageOptions {
  publishableKey: string;
  clientSecret: string;
  stripeJsUrl: string;
  /** Where the dialog goes: the banner's shadow root. */
  into: HTMLElement;
  title: string;
  closeLabel: string;
  /** The gift is paid (Stripe's onComplete): the dialog has closed. */
  onComplete: () => void;
  /** The dialog has closed without a gift. */
  onClose: () => void;
}

/** Opens the dialog with embedded Checkout in it. Rejects when Stripe.js cannot be loaded or refuses the session. */
export const payInPage = async (o: InPageOptions): Promise<void> => {
  const Stripe = await loadStripe(o.stripeJsUrl);
  const place = h('div', { class: 'appeal-checkout' });
  const close = h('button', { type: 'button', class: 'appeal-close', 'aria-label': o.closeLabel }, '×');
  const dialog = h(
    'dialog',
    { class: 'appeal-dialog', 'aria-labelledby': 'appeal-dialog-title' },
    h('div', { class: 'appeal-dialog-bar' }, h('h2', { id: 'appeal-dialog-title' }, o.title), close),
    place,
  );
  let completed = false;
  const checkout = await Stripe(o.publishableKey).initEmbeddedCheckout({
    fetchClientSecret: () => Promise.resolve(o.clientSecret),
    onComplete: () => {
      completed = true;
      dialog.close();
    },
  });
  dialog.addEventListener('close', () => {
    checkout.destroy();
    dialog.remove();
    if (completed) o.onComplete();
    else o.onClose();
  });
  close.addEventListener('click', () => dialog.close());
  o.into.append(dialog);
  checkout.mount(place);
  dialog.showModal();
};
