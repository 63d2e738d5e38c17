// The form components' scripts, loaded only by the pages with such forms (the help request
// form and the functions' error pages): guide pages stay small without them.
import { initCharacterCounts, initCheckboxes, initErrorSummary, initRadios } from "nhsuk-frontend";

initErrorSummary();
initRadios();
initCheckboxes();
initCharacterCounts();
