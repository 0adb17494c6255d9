// Passkeys on Latchkey's pages: signing in with one (the button on /login,
// and the username field's autofill) and adding one (/account/security).
//
// WebAuthn is a browser API, so these ceremonies cannot be plain form posts,
// and they are small enough to need no library: the browser's own JSON
// helpers (WebAuthn Level 3: PublicKeyCredential.parse…OptionsFromJSON and
// credential.toJSON()) turn the server's options into a request and the
// answer back into JSON, so there is no base64 code here. A module of its
// own rather than the WebAssembly bundle: the browser API takes and returns
// plain JS objects, which this file hands to and from the server as they
// are.
//
// Listeners sit on the document, so pages the app renders again need
// nothing attached again; the autofill request is made whenever a sign-in
// form is on the page, and given up when it leaves.

const root = document.documentElement;
root.classList.add('passkeys-js');

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body ?? {}),
    credentials: 'same-origin',
  });
  let data = {};
  try {
    data = await res.json();
  } catch {
    // An answer without JSON (a proxy's error page): the status speaks.
  }
  return { res, data };
}

// Why passkeys cannot work on this page, or null when they can.
function unavailable() {
  const host = location.hostname;
  if (/^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[')) {
    const port = location.port ? `:${location.port}` : '';
    const there = `${location.protocol}//localhost${port}${location.pathname}${location.search}`;
    return { text: 'Browsers refuse passkeys on an IP address. Open this page at ', link: there };
  }
  if (!window.isSecureContext) {
    return { text: 'Passkeys need a secure page (HTTPS, or localhost).' };
  }
  if (typeof window.PublicKeyCredential !== 'function' ||
      typeof PublicKeyCredential.parseRequestOptionsFromJSON !== 'function') {
    return { text: 'This browser cannot use passkeys here. Sign in with your password.' };
  }
  return null;
}

function say(el, text, link) {
  if (!el) return;
  el.textContent = text;
  if (link) {
    const a = document.createElement('a');
    a.href = link;
    a.textContent = link;
    el.append(a, '.');
  }
  el.hidden = false;
}

// A sentence for what went wrong in a ceremony.
function sentence(e, doing) {
  switch (e && e.name) {
    case 'NotAllowedError':
      return `${doing} was cancelled, or took too long. Try again when you are ready.`;
    case 'InvalidStateError':
      return 'This device already holds a passkey for your account.';
    case 'SecurityError':
      return 'The browser refused passkeys for this address.';
    default:
      return (e && e.message) || `${doing} did not work. Please try again.`;
  }
}

// Where to go after signing in: the button's `data-next`, if it stays on
// this site.
function next() {
  const to = document.getElementById('passkey-sign-in')?.dataset.next || '/account';
  return to.startsWith('/') && !to.startsWith('//') && !to.includes('\\') ? to : '/account';
}

let autofill = null; // { abort: AbortController, field } while an autofill request waits
// Fields offered passkeys once already: a request that failed is not made
// again by itself (each retry would change the page, and so retry again).
const armed = new WeakSet();

// One sign-in ceremony: options, the browser's request, the answer.
async function signIn(mediation, signal) {
  const { res, data } = await post('/auth/passkeys/authentication/options');
  if (!res.ok) throw new Error(data.message || 'Passkeys are unavailable right now.');
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(data.publicKey);
  const credential = await navigator.credentials.get({ publicKey, mediation, signal });
  if (!credential) return false;
  const remember = document.querySelector('input[name="remember"]')?.checked ?? false;
  const done = await post('/auth/passkeys/authentication', {
    credential: credential.toJSON(),
    remember,
  });
  if (!done.res.ok) {
    throw new Error(done.data.message || 'That passkey could not sign you in.');
  }
  return true;
}

// Offers this site's passkeys in the username field's autofill, once per
// sign-in form on the page (`again`: once more, after the button's request).
async function armAutofill(again = false) {
  const field = document.querySelector('input[autocomplete~="webauthn"]');
  if (!field || autofill || unavailable() || (armed.has(field) && !again)) return;
  armed.add(field);
  const abort = new AbortController();
  autofill = { abort, field };
  try {
    if (!(await PublicKeyCredential.isConditionalMediationAvailable?.())) return;
    if (await signIn('conditional', abort.signal)) location.assign(next());
  } catch (e) {
    if (e.name !== 'AbortError' && !abort.signal.aborted) {
      say(document.getElementById('passkey-status'), sentence(e, 'Signing in with a passkey'));
    }
  } finally {
    if (autofill && autofill.abort === abort) autofill = null;
  }
}

function dropAutofill() {
  if (autofill) {
    autofill.abort.abort();
    autofill = null;
  }
}

document.addEventListener('click', async (ev) => {
  const button = ev.target.closest?.('#passkey-sign-in');
  if (!button) return;
  const status = document.getElementById('passkey-status');
  const why = unavailable();
  if (why) return say(status, why.text, why.link);
  // One WebAuthn request at a time: the button's replaces the autofill's.
  dropAutofill();
  button.disabled = true;
  say(status, 'Waiting for your passkey…');
  try {
    if (await signIn('optional')) {
      say(status, 'Signed in. Taking you on…');
      location.assign(next());
      return;
    }
    say(status, 'No passkey was chosen.');
  } catch (e) {
    say(status, sentence(e, 'Signing in with a passkey'));
  }
  button.disabled = false;
  armAutofill(true);
});

document.addEventListener('submit', async (ev) => {
  const form = ev.target.closest?.('#add-passkey');
  if (!form) return;
  ev.preventDefault();
  const status = form.querySelector('#passkey-add-status');
  const why = unavailable();
  if (why) return say(status, why.text, why.link);
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  status.hidden = true;
  try {
    const confirm = form.querySelector('input[name="confirm_password"]');
    const { res, data } = await post(
      '/auth/passkeys/registration/options',
      confirm ? { confirm_password: confirm.value } : {},
    );
    if (data.error === 'insufficient_user_authentication') {
      // The window closed since the page was made: show its password field.
      location.assign('/account/security');
      return;
    }
    if (!res.ok) throw new Error(data.message || 'A passkey cannot be added right now.');
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(data.publicKey);
    const credential = await navigator.credentials.create({ publicKey });
    const done = await post('/auth/passkeys/registration', {
      credential: credential.toJSON(),
      name: form.querySelector('#passkey-name')?.value ?? '',
    });
    if (!done.res.ok) throw new Error(done.data.message || 'The passkey was not added.');
    location.assign('/account/security?done=added');
  } catch (e) {
    say(status, sentence(e, 'Making the passkey'));
    button.disabled = false;
  }
});

// Pages the app renders in place (signing out, going to /login) come and
// go: arm the autofill when a sign-in form appears, give it up when it
// leaves, and say on arrival when passkeys cannot work here.
function watch() {
  if (autofill && !document.contains(autofill.field)) dropAutofill();
  const status = document.getElementById('passkey-status');
  const why = unavailable();
  if (why && status && !status.dataset.told) {
    status.dataset.told = '1';
    say(status, why.text, why.link);
  }
  armAutofill();
}
new MutationObserver(watch).observe(document.body, { childList: true, subtree: true });
watch();
