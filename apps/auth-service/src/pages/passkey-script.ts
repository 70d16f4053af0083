import { createHash } from 'node:crypto';

/** Where the pages load the passkey script from (same origin; PAGE_CSP allows it by its hash). */
export const PASSKEY_SCRIPT_PATH = '/assets/passkey.js';

/**
 * The one script the pages run, on the pages that use a passkey. A form marked `data-passkey="create"`
 * or `"get"` runs the WebAuthn ceremony with the options in the page's `<script type="application/json"
 * id="passkey-options">` when submitted, puts the credential (as JSON, binary fields base64url) in the
 * form's `response` field and submits it: the server checks it with the rest of the form (CSRF token
 * and all). Without JavaScript or WebAuthn the form posts an empty `response`, which is refused.
 */
export const PASSKEY_SCRIPT = `'use strict';
(function () {
  function toBytes(s) {
    var b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
    var a = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) a[i] = b.charCodeAt(i);
    return a.buffer;
  }
  function toText(buf) {
    var a = new Uint8Array(buf), s = '';
    for (var i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);
    return btoa(s).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  }
  function descriptors(list) {
    return (list || []).map(function (c) { return { type: c.type, id: toBytes(c.id), transports: c.transports }; });
  }
  function create(o) {
    var publicKey = Object.assign({}, o, {
      challenge: toBytes(o.challenge),
      user: Object.assign({}, o.user, { id: toBytes(o.user.id) }),
      excludeCredentials: descriptors(o.excludeCredentials)
    });
    return navigator.credentials.create({ publicKey: publicKey }).then(function (c) {
      return {
        id: c.id, rawId: toText(c.rawId), type: c.type,
        authenticatorAttachment: c.authenticatorAttachment || undefined,
        clientExtensionResults: c.getClientExtensionResults(),
        response: {
          clientDataJSON: toText(c.response.clientDataJSON),
          attestationObject: toText(c.response.attestationObject),
          transports: c.response.getTransports ? c.response.getTransports() : []
        }
      };
    });
  }
  function get(o) {
    var publicKey = Object.assign({}, o, { challenge: toBytes(o.challenge), allowCredentials: descriptors(o.allowCredentials) });
    return navigator.credentials.get({ publicKey: publicKey }).then(function (c) {
      return {
        id: c.id, rawId: toText(c.rawId), type: c.type,
        authenticatorAttachment: c.authenticatorAttachment || undefined,
        clientExtensionResults: c.getClientExtensionResults(),
        response: {
          clientDataJSON: toText(c.response.clientDataJSON),
          authenticatorData: toText(c.response.authenticatorData),
          signature: toText(c.response.signature),
          userHandle: c.response.userHandle ? toText(c.response.userHandle) : undefined
        }
      };
    });
  }
  document.querySelectorAll('form[data-passkey]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var status = form.querySelector('[data-passkey-status]');
      if (!window.PublicKeyCredential) {
        if (status) status.textContent = 'This browser cannot use passkeys.';
        return;
      }
      var options = JSON.parse(document.getElementById('passkey-options').textContent);
      var ceremony = form.getAttribute('data-passkey') === 'create' ? create : get;
      ceremony(options).then(function (credential) {
        form.elements.namedItem('response').value = JSON.stringify(credential);
        form.submit();
      }, function (error) {
        if (status) status.textContent = 'No passkey was used (' + (error && error.name ? error.name : 'error') + '). Try again.';
      });
    });
  });
})();
`;

/** The script's hash, for PAGE_CSP and the script element's `integrity`. */
export const PASSKEY_SCRIPT_HASH = `sha256-${createHash('sha256').update(PASSKEY_SCRIPT).digest('base64')}`;
