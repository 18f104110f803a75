// Passkeys (WebAuthn). A form marked data-passkey="create" or "get" carries the server's options
// as JSON in data-passkey-options (binary values in base64url). On submit, this asks the browser
// for a passkey and posts its answer as JSON in the hidden "credential" field, or the name of the
// browser's refusal (NotAllowedError when cancelled or timed out) in "failure": the server checks
// the answer and shows any error in GOV.UK style. Without this script the button posts nothing,
// and the server says the browser gave no passkey.

const toBytes = (value) => {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (character) => character.charCodeAt(0));
};

const toBase64url = (buffer) => {
  let text = "";
  for (const byte of new Uint8Array(buffer)) {
    text += String.fromCharCode(byte);
  }
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const withIds = (credentials) =>
  (credentials || []).map((credential) => ({ ...credential, id: toBytes(credential.id) }));

const creationOptions = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  user: { ...options.user, id: toBytes(options.user.id) },
  excludeCredentials: withIds(options.excludeCredentials),
});

const requestOptions = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  allowCredentials: withIds(options.allowCredentials),
});

const answer = (credential) => {
  const { response } = credential;
  const encoded = {};
  for (const name of ["clientDataJSON", "attestationObject", "authenticatorData", "signature"]) {
    if (response[name]) {
      encoded[name] = toBase64url(response[name]);
    }
  }
  if (response.userHandle) {
    encoded.userHandle = toBase64url(response.userHandle);
  }
  if (typeof response.getTransports === "function") {
    encoded.transports = response.getTransports();
  }
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: encoded,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
  };
};

const ask = async (mode, options) => {
  if (!window.PublicKeyCredential || !navigator.credentials) {
    throw new DOMException("Passkeys are not supported here", "NotSupportedError");
  }
  if (mode === "create") {
    return navigator.credentials.create({ publicKey: creationOptions(options) });
  }
  return navigator.credentials.get({ publicKey: requestOptions(options) });
};

for (const form of document.querySelectorAll("form[data-passkey]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit], input[type=submit]");
    if (button) {
      button.disabled = true;
    }
    try {
      const options = JSON.parse(form.dataset.passkeyOptions);
      const credential = await ask(form.dataset.passkey, options);
      form.elements.credential.value = JSON.stringify(answer(credential));
    } catch (error) {
      form.elements.failure.value = (error && error.name) || "Error";
    }
    // The form's button is named "submit", which hides the form's own submit().
    HTMLFormElement.prototype.submit.call(form);
  });
}
