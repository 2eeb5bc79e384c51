import { plural } from './index.js';

// English: the catalogue every other language follows (its keys, its placeholders). `{site}` is the publication's
// name; `\u00a0` keeps a number and its word together.

/** The embed (web/embed/): the donation banner and the signup form, and their HTML without JavaScript. */
export const widget = {
  banner: {
    /** After the campaign's title: "UNITED24: humanitarian aid for Ukraine – Make a charitable donation". */
    ask: 'Make a charitable donation',
    /** After the campaign's title once it takes no more gifts. */
    ended: 'this appeal has ended',
    frequency: 'How often',
    once: 'Once',
    monthly: 'Monthly',
    optIn: 'Email me the {site} newsletter',
    amounts: 'Amount',
    /** After an amount when Monthly is chosen: "$10 a month". */
    perMonth: 'a month',
    /** "Other amount"; on a narrow screen only the first word shows (the button's name stays whole). */
    otherShort: 'Other',
    otherRest: 'amount',
    progress: '{raised} raised of {goal} goal · {donors} · {gifts}',
    progressNoGoal: '{raised} raised · {donors} · {gifts}',
    endedProgress: '{raised} raised of the {goal} goal, from {donors} and {gifts}. Thank you to everyone who gave.',
    endedProgressNoGoal: '{raised} raised, from {donors} and {gifts}. Thank you to everyone who gave.',
    donors: plural({ one: '{n}\u00a0donor', other: '{n}\u00a0donors' }),
    gifts: plural({ one: '{n}\u00a0gift', other: '{n}\u00a0gifts' }),
    opening: 'Opening the secure checkout…',
    amountRefused: 'This amount cannot be accepted. Please choose another.',
    tooMany: 'Too many attempts from this connection. Please wait a minute and try again.',
    failed: 'Something went wrong. Please try again later.',
    offline: 'We could not reach the server. Please check your connection and try again.',
  },
  signup: {
    title: 'Join the {site} mailing list',
    intro: 'Our daily briefing, in your inbox. We will send you a link to confirm; you can leave at any time.',
    email: 'Email address',
    name: 'Name',
    optional: '(optional)',
    honeypot: 'Leave this field empty',
    consent:
      'By subscribing you agree to receive the {site} briefing by email. We record when and where you agreed, and every email has a one-click unsubscribe link.',
    submit: 'Subscribe',
    sending: 'Sending…',
    pending: 'Thank you! Check your inbox: we have sent you a link to confirm your subscription.',
    emailMissing: 'Please enter your email address.',
    emailInvalid: 'Please enter a valid email address.',
    nameInvalid: 'Please check your name: at most 100 characters, on one line.',
    listInvalid: 'This mailing list is not available.',
    correctField: 'Please correct the highlighted field.',
    tooMany: 'Too many attempts. Please wait a moment and try again.',
    failed: 'Something went wrong. Please try again later.',
    offline: 'We could not reach the server. Please check your connection and try again.',
  },
};
