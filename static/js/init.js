// Starts GOV.UK Frontend's components (service navigation menu, error summary focus, ...) and
// Panel's own: the warning before an idle session ends.
import { initAll } from "../dist/govuk-frontend.min.js";
import { initSessionTimeout } from "./session-timeout.js";

initAll();
initSessionTimeout();
