// The warning before an idle session ends (WCAG 2.2.1, Timing Adjustable).
//
// A signed-in session ends after SESSION_IDLE_MINUTES without a request (panel/core/sessions.py).
// The page carries that time and how long before it to warn (data attributes on the dialog in
// templates/accounts/_timeout_warning.html). When the warning is due, a modal dialog opens with
// focus on "Stay signed in"; the rest of the page is inert while it is open, and Escape counts as
// staying. Staying posts to /session/keep-alive (the request is the activity the server notes) and
// does not reload the page, so whatever the person typed stays where it is; focus goes back to
// where it was. Left unanswered, the session ends at the timeout and the browser goes to the
// sign-in page, which says why, and comes back here after signing in.
//
// Tabs share the session cookie, so a request in one keeps all of them alive: each tab writes the
// time of its last request to localStorage, and the others put their warning off to match.

const SHARED_KEY = "panel:session-activity";

function sharedActivity() {
  try {
    return Number(window.localStorage.getItem(SHARED_KEY)) || 0;
  } catch {
    return 0; // storage refused (private browsing, a policy): each tab keeps its own time
  }
}

function shareActivity(time) {
  try {
    window.localStorage.setItem(SHARED_KEY, String(time));
  } catch {
    // as above
  }
}

function inWords(milliseconds) {
  const seconds = Math.max(1, Math.round(milliseconds / 1000));
  if (seconds < 60) {
    return `${seconds} ${seconds === 1 ? "second" : "seconds"}`;
  }
  const minutes = Math.round(seconds / 60);
  return `${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}

export function initSessionTimeout(root = document) {
  const dialog = root.querySelector("dialog[data-panel-timeout-warning]");
  const endForm = root.querySelector("form[data-timeout-end]");
  if (!dialog || !endForm || typeof dialog.showModal !== "function") {
    return;
  }
  const idle = Number(dialog.dataset.idleSeconds) * 1000;
  const lead = Math.min(Number(dialog.dataset.warningSeconds) * 1000, idle);
  const stayForm = dialog.querySelector("form[data-timeout-stay]");
  const stayButton = stayForm.querySelector("button");
  const remaining = dialog.querySelector("[data-timeout-remaining]");

  // This page's own request is the latest activity the server has seen from this tab.
  let lastActivity = Math.max(Date.now(), sharedActivity());
  let returnFocusTo = null;
  let warnTimer;
  let endTimer;
  let staying = false;

  const deadline = () => lastActivity + idle;

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    const now = Date.now();
    warnTimer = window.setTimeout(warn, Math.max(0, deadline() - lead - now));
    endTimer = window.setTimeout(end, Math.max(0, deadline() - now));
  }

  // Another tab may have made a request since: catch up with it.
  function catchUp() {
    const shared = sharedActivity();
    if (shared > lastActivity) {
      lastActivity = shared;
    }
  }

  function warn() {
    catchUp();
    if (Date.now() < deadline() - lead) {
      schedule();
      return;
    }
    if (dialog.open) {
      return;
    }
    remaining.textContent = inWords(deadline() - Date.now());
    returnFocusTo = document.activeElement;
    dialog.showModal();
    stayButton.focus();
  }

  function close() {
    if (!dialog.open) {
      return;
    }
    dialog.close();
    if (returnFocusTo && typeof returnFocusTo.focus === "function") {
      returnFocusTo.focus();
    }
    returnFocusTo = null;
  }

  function activity(time) {
    lastActivity = time;
    schedule();
    if (Date.now() < deadline() - lead) {
      close();
    }
  }

  async function stay() {
    if (staying) {
      return;
    }
    staying = true;
    try {
      const response = await fetch(stayForm.action, {
        method: "POST",
        body: new FormData(stayForm),
        credentials: "same-origin",
        // An ended session answers with a redirect to the sign-in page: not followed here.
        redirect: "manual",
      });
      if (response.status === 204) {
        shareActivity(Date.now());
        activity(Date.now());
      } else {
        signInAgain();
      }
    } catch {
      // No answer (the network is down): the dialog stays open, to try again.
    } finally {
      staying = false;
    }
  }

  function end() {
    catchUp();
    if (Date.now() < deadline()) {
      schedule(); // another tab kept the session alive
      return;
    }
    signOut();
  }

  // The session ends here: the server says so on the sign-in page, and signing in again leads
  // back to this page.
  function signOut() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    endForm.submit();
  }

  // The session had ended already (the keep-alive was refused, and the answer set the reason to
  // show): go to sign in.
  function signInAgain() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    window.location.assign(`${dialog.dataset.signInUrl}?next=${next}`);
  }

  stayForm.addEventListener("submit", (event) => {
    event.preventDefault();
    stay();
  });
  // Escape would close the dialog: it means "stay" rather than nothing at all.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    stay();
  });
  window.addEventListener("storage", (event) => {
    if (event.key === SHARED_KEY && Number(event.newValue) > lastActivity) {
      activity(Number(event.newValue));
    }
  });

  shareActivity(lastActivity);
  schedule();
}
